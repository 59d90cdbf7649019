// The DLP engine: runs recognizers, applies context and threshold, resolves overlaps, and redacts/blocks/restores.
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { dlpConfigSchema, type DlpConfigInput } from './dlp-config.js';
import { DlpBlockedError } from './dlp-errors.js';
import { nameRecognizers } from './name-recognizers.js';
import { nationalIdRecognizers } from './national-id-recognizers.js';
import { intlAddressRecognizer } from './intl-address-recognizer.js';
import { piiRecognizers } from './pii-recognizers.js';
import { regexRecognizer, textFacts, type Recognizer } from './recognizer.js';
import {
  contextHit,
  contextMatcher,
  contextWindows,
  firstPieces,
  lowerForMatching,
  resolveOverlaps,
  type Compiled,
} from './scan-helpers.js';
import { createPresidioNerBackend } from './ner/presidio-ner-backend.js';
import type { NerBackend } from './ner/ner-backend.js';
import { applyRedactions, resolvePolicy } from './redact.js';
import { secretRecognizers } from './secret-recognizers.js';
import { createStreamScanner } from './stream-scanner.js';
import type { DlpEngine, EntityType, Finding, RedactPolicy, ScanOptions, TokenVault } from './types.js';
import { VALIDATOR_FNS } from './validators.js';
import { TOKEN_RE, createMemoryVault } from './vault.js';

export interface DlpEngineDeps {
  vault?: TokenVault;
  /** A NER backend to merge with the rules (tests, embedders); default: the one `dlp.ner` configures. */
  ner?: NerBackend;
}

export { contextWindows, lowerForMatching, resolveOverlaps };

export function createDlpEngine(config: DlpConfigInput = {}, deps: DlpEngineDeps = {}): DlpEngine {
  const cfg = parseOrThrow(dlpConfigSchema, config, 'dlp configuration', 'dlp');
  const custom: Recognizer[] = cfg.detectors.map((d) =>
    regexRecognizer(`custom:${d.name}`, d.entity, new RegExp(d.pattern, `g${d.flags}`), d.score, {
      validate: VALIDATOR_FNS[d.validator],
      context: d.context,
      contextBoost: d.contextBoost,
    }),
  );
  const all = [
    ...secretRecognizers(),
    ...piiRecognizers({ phoneRegions: cfg.phoneRegions }),
    ...nameRecognizers(),
    intlAddressRecognizer(),
    ...nationalIdRecognizers(),
    ...custom,
  ];
  const enabled = cfg.entities ? new Set<string>([...cfg.entities, ...cfg.detectors.map((d) => d.entity)]) : undefined;
  const compiled: Compiled[] = all
    .filter((r) => !enabled || enabled.has(r.entity))
    .map((rec) => {
      const ctx = contextMatcher(rec.context);
      if (!ctx) return { rec };
      return {
        rec,
        ctx,
        gate: new RegExp(ctx.source, 'gi'),
        ctxLower: new RegExp(ctx.source),
        gateLower: new RegExp(ctx.source, 'g'),
        firstPieces: firstPieces(rec.context ?? []),
      };
    });
  const allowValues = new Set(cfg.allowList.values.map((v) => v.toLowerCase()));
  const allowPatterns = cfg.allowList.patterns.map((p, i) => {
    try {
      return new RegExp(`^(?:${p})$`, 'i');
    } catch (err) {
      throw new InvalidInputError(
        `dlp.allowList.patterns[${i}] is not a valid regular expression: ${(err as Error).message}`,
        [{ path: `dlp.allowList.patterns[${i}]`, message: 'fix the pattern' }],
      );
    }
  });
  const vault = deps.vault ?? createMemoryVault();

  /** Every rule candidate at or above the threshold, before overlaps are resolved. */
  function collect(text: string, options: ScanOptions): Finding[] {
    if (typeof text !== 'string') throw new InvalidInputError('DLP scan input must be a string.');
    const threshold = options.threshold ?? cfg.threshold;
    const only = options.entities ? new Set<string>(options.entities) : undefined;
    const cands: Finding[] = [];
    let lowerDone = false;
    let lower: string | undefined;
    const lowerText = (): string | undefined => {
      if (!lowerDone) {
        lower = lowerForMatching(text);
        lowerDone = true;
      }
      return lower;
    };
    // One pass over the text for every recognizer's gate (digit density, `@`, `:`).
    const facts = textFacts(text);
    for (const { rec, ctx, gate, ctxLower, gateLower, firstPieces: lits } of compiled) {
      if (only && !only.has(rec.entity)) continue;
      if (rec.gate && !rec.gate(facts)) continue;
      const boost = rec.contextBoost ?? 0;
      const cap = rec.maxScore ?? 1;
      const emit = (start: number, end: number, base: number) => {
        let score = base;
        // Context only matters when it can change the outcome: below the cap, and able to reach the threshold.
        if (ctx && boost > 0 && score < cap && score + boost >= threshold) {
          const low = lowerText();
          if (low !== undefined ? contextHit(low, start, end, ctxLower!) : contextHit(text, start, end, ctx))
            score = Math.min(cap, score + boost);
        }
        if (score < threshold || end <= start) return;
        cands.push({ type: rec.entity, start, end, score: Math.round(score * 100) / 100, detector: rec.name });
      };
      // Context-only recognizers (passport, licence, date of birth, bare SSN) cannot pass without a context
      // word nearby: run them only in windows around those words instead of over the whole text.
      if (rec.maxBaseScore !== undefined && rec.maxBaseScore < threshold && gate) {
        const low = lowerText();
        if (low !== undefined && lits && !lits.some((l) => low.includes(l))) continue;
        const windows = low !== undefined ? contextWindows(low, gateLower!) : contextWindows(text, gate);
        if (!windows) continue;
        if (windows.length === 1 && windows[0][0] === 0 && windows[0][1] === text.length) rec.run(text, emit);
        else for (const [ws, we] of windows) rec.run(text.slice(ws, we), (s0, e0, sc) => emit(s0 + ws, e0 + ws, sc));
        continue;
      }
      rec.run(text, emit, rec.usesLower ? lowerText() : undefined);
    }
    return cands;
  }

  function finish(text: string, cands: Finding[]): Finding[] {
    let out = resolveOverlaps(cands);
    if (allowValues.size > 0 || allowPatterns.length > 0) {
      out = out.filter((f) => {
        const v = text.slice(f.start, f.end);
        return !allowValues.has(v.toLowerCase()) && !allowPatterns.some((p) => p.test(v));
      });
    }
    return out;
  }

  const scan = (text: string, options: ScanOptions = {}): Finding[] => finish(text, collect(text, options));

  const ner: NerBackend | undefined =
    deps.ner ?? (cfg.ner.backend === 'presidio' ? createPresidioNerBackend(cfg.ner) : undefined);

  /** Rule candidates plus the NER backend's spans, resolved together by the same overlap rules. */
  async function scanAsync(text: string, options: ScanOptions = {}, signal?: AbortSignal): Promise<Finding[]> {
    const cands = collect(text, options);
    if (!ner) return finish(text, cands);
    const threshold = options.threshold ?? cfg.threshold;
    const only = options.entities ? new Set<string>(options.entities) : undefined;
    const wanted = (t: string) => (!only || only.has(t)) && (!enabled || enabled.has(t));
    if (ner.entities.some(wanted))
      for (const s of await ner.analyze(text, signal))
        if (wanted(s.type) && s.score >= threshold)
          cands.push({
            type: s.type,
            start: s.start,
            end: s.end,
            score: Math.round(s.score * 100) / 100,
            detector: ner.name,
          });
    return finish(text, cands);
  }

  const withDefaults = (policy?: RedactPolicy): RedactPolicy => ({
    default: policy?.default ?? cfg.policy.default,
    entities: { ...cfg.policy.entities, ...policy?.entities },
    hashSalt: policy?.hashSalt ?? cfg.hashSalt,
    tokenScope: policy?.tokenScope ?? 'default',
  });

  function redactWith(text: string, findings: Finding[], p: RedactPolicy) {
    const blocked = findings.filter((f) => resolvePolicy(p, f.type) === 'block').map((f) => f.type);
    if (blocked.length > 0)
      throw new DlpBlockedError(
        blocked,
        'text',
        findings.map((f) => f.type),
      );
    return { text: applyRedactions(text, findings, p, vault), findings };
  }

  const engine: DlpEngine = {
    vault,
    scan,
    redact(text, policy) {
      return redactWith(text, scan(text), withDefaults(policy));
    },
    scanAsync,
    async redactAsync(text, policy, signal) {
      return redactWith(text, await scanAsync(text, {}, signal), withDefaults(policy));
    },
    restore(text, scope = 'default') {
      return text.replace(TOKEN_RE, (tok) => vault.lookup(scope, tok) ?? tok);
    },
    assertClean(text, types) {
      const findings = scan(text, types ? { entities: types } : {});
      if (findings.length > 0) throw new DlpBlockedError(findings.map((f) => f.type));
    },
    createStreamScanner(options = {}) {
      return createStreamScanner(
        engine,
        withDefaults(options.policy),
        options.maxHoldback,
        { fixedTail: custom.length > 0 },
        { ...cfg.stream, ...(options.now ? { now: options.now } : {}) },
      );
    },
  };
  return engine;
}

export type { EntityType };
