// The DLP engine: runs recognizers, applies context and threshold, resolves overlaps, and redacts/blocks/restores.
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { dlpConfigSchema, type DlpConfigInput } from './dlp-config.js';
import { DlpBlockedError } from './dlp-errors.js';
import { nameRecognizers } from './name-recognizers.js';
import { nationalIdRecognizers } from './national-id-recognizers.js';
import { piiRecognizers } from './pii-recognizers.js';
import { regexRecognizer, type Recognizer } from './recognizer.js';
import { applyRedactions, resolvePolicy } from './redact.js';
import { secretRecognizers } from './secret-recognizers.js';
import { createStreamScanner } from './stream-scanner.js';
import type { DlpEngine, EntityType, Finding, RedactPolicy, ScanOptions, TokenVault } from './types.js';
import { VALIDATOR_FNS } from './validators.js';
import { TOKEN_RE, createMemoryVault } from './vault.js';

export interface DlpEngineDeps {
  vault?: TokenVault;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const SEP = "[\\s_.'’-]+";
const pieces = (w: string) =>
  w
    .toLowerCase()
    .split(/[\s_.'’-]+/)
    .filter(Boolean);

/** Context words match case-insensitively with any of ` _ - . '` between their parts (`date_of_birth` counts). */
function contextMatcher(words: readonly string[] | undefined): RegExp | undefined {
  if (!words || words.length === 0) return undefined;
  const alts = words.map((w) => pieces(w).map(escapeRe).join(SEP));
  // A lookbehind rather than `(?:^|[^a-z0-9])`: same matches, and about 40% faster (the match starts at the word).
  return new RegExp(`(?<![a-z0-9])(?:${alts.join('|')})(?![a-z0-9])`, 'i');
}

interface Compiled {
  rec: Recognizer;
  ctx?: RegExp;
  /** Global form of ctx: finds the windows where a context-only recognizer can pass. */
  gate?: RegExp;
  /** ctx and gate without the `i` flag, for the lower-cased text (case-insensitive regexes are 2-3x slower). */
  ctxLower?: RegExp;
  gateLower?: RegExp;
}

/**
 * The text lower-cased once per scan, so context and keyword regexes can run case-sensitively: the same matches
 * as `/i` on the original unless lower-casing changes the length (U+0130) or maps a non-ASCII letter to ASCII
 * (U+212A KELVIN SIGN), which `/i` without `u` does not do; then undefined and the `/i` forms are used.
 */
export function lowerForMatching(text: string): string | undefined {
  const lower = text.toLowerCase();
  return lower.length === text.length && !text.includes('\u212a') ? lower : undefined;
}

const BEFORE = 48;
const AFTER = 24;

function contextHit(text: string, start: number, end: number, ctx: RegExp): boolean {
  return ctx.test(text.slice(Math.max(0, start - BEFORE), start)) || ctx.test(text.slice(end, end + AFTER));
}

/** Longest value a context-only recognizer finds (dates, licence numbers), plus slack. */
const VALUE_SLACK = 64;

/**
 * Where a context-only recognizer can possibly pass: around occurrences of its context words (`gate` is the
 * global form of its context matcher). Returns merged [start, end) windows snapped outward to whitespace
 * (or control characters), or undefined when there is no occurrence.
 */
export function contextWindows(text: string, gate: RegExp): [number, number][] | undefined {
  const out: [number, number][] = [];
  gate.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = gate.exec(text)) !== null) {
    // Windows as before the lookbehind form: they began at the character in front of the word.
    let s = Math.max(0, m.index - 1 - AFTER - VALUE_SLACK);
    let e = Math.min(text.length, m.index + m[0].length + BEFORE + VALUE_SLACK);
    for (let k = 0; k < VALUE_SLACK && s > 0 && text.charCodeAt(s - 1) > 32; k++) s--;
    for (let k = 0; k < VALUE_SLACK && e < text.length && text.charCodeAt(e) > 32; k++) e++;
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out.length > 0 ? out : undefined;
}

const byRank = (a: Finding, b: Finding): number =>
  b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start;

/** Keeps the best finding among overlapping ones: higher score, then longer span (then earlier, then first emitted). */
export function resolveOverlaps(cands: Finding[]): Finding[] {
  // Most findings overlap nothing: sort by start once and resolve only clusters of overlapping ones (findings in
  // different clusters never compete, so this keeps exactly what one greedy pass over all of them would keep).
  const order = cands.map((_, i) => i).sort((i, j) => cands[i].start - cands[j].start || i - j);
  const out: Finding[] = [];
  for (let k = 0; k < order.length;) {
    let end = cands[order[k]].end;
    let k2 = k + 1;
    while (k2 < order.length && cands[order[k2]].start < end) end = Math.max(end, cands[order[k2++]].end);
    if (k2 - k === 1) out.push(cands[order[k]]);
    else {
      const cluster = order.slice(k, k2).sort((i, j) => byRank(cands[i], cands[j]) || i - j);
      const kept: Finding[] = [];
      for (const i of cluster) {
        const c = cands[i];
        if (!kept.some((x) => c.start < x.end && x.start < c.end)) kept.push(c);
      }
      out.push(...kept.sort((a, b) => a.start - b.start));
    }
    k = k2;
  }
  return out;
}

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

  function scan(text: string, options: ScanOptions = {}): Finding[] {
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
    for (const { rec, ctx, gate, ctxLower, gateLower } of compiled) {
      if (only && !only.has(rec.entity)) continue;
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
        const windows = low !== undefined ? contextWindows(low, gateLower!) : contextWindows(text, gate);
        if (!windows) continue;
        if (windows.length === 1 && windows[0][0] === 0 && windows[0][1] === text.length) rec.run(text, emit);
        else for (const [ws, we] of windows) rec.run(text.slice(ws, we), (s0, e0, sc) => emit(s0 + ws, e0 + ws, sc));
        continue;
      }
      rec.run(text, emit, rec.usesLower ? lowerText() : undefined);
    }
    let out = resolveOverlaps(cands);
    if (allowValues.size > 0 || allowPatterns.length > 0) {
      out = out.filter((f) => {
        const v = text.slice(f.start, f.end);
        return !allowValues.has(v.toLowerCase()) && !allowPatterns.some((p) => p.test(v));
      });
    }
    return out;
  }

  const withDefaults = (policy?: RedactPolicy): RedactPolicy => ({
    default: policy?.default ?? cfg.policy.default,
    entities: { ...cfg.policy.entities, ...policy?.entities },
    hashSalt: policy?.hashSalt ?? cfg.hashSalt,
    tokenScope: policy?.tokenScope ?? 'default',
  });

  const engine: DlpEngine = {
    vault,
    scan,
    redact(text, policy) {
      const p = withDefaults(policy);
      const findings = scan(text);
      const blocked = findings.filter((f) => resolvePolicy(p, f.type) === 'block').map((f) => f.type);
      if (blocked.length > 0)
        throw new DlpBlockedError(
          blocked,
          'text',
          findings.map((f) => f.type),
        );
      return { text: applyRedactions(text, findings, p, vault), findings };
    },
    restore(text, scope = 'default') {
      return text.replace(TOKEN_RE, (tok) => vault.lookup(scope, tok) ?? tok);
    },
    assertClean(text, types) {
      const findings = scan(text, types ? { entities: types } : {});
      if (findings.length > 0) throw new DlpBlockedError(findings.map((f) => f.type));
    },
    createStreamScanner(options = {}) {
      return createStreamScanner(engine, withDefaults(options.policy), options.maxHoldback, {
        fixedTail: custom.length > 0,
      });
    },
  };
  return engine;
}

export type { EntityType };
