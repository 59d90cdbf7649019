// The DLP engine's scan as it was before issue 19 (frozen copy): the same-run baseline for bench and finding diffs.
// Copied from src/dlp at commit 411ee64 (engine.ts scan path, recognizers, lexicon, validators); do not tune it.
import type { Finding } from '../../../src/dlp/types.js';
import { nameRecognizers } from './name-recognizers.js';
import { piiRecognizers } from './pii-recognizers.js';
import type { Recognizer } from './recognizer.js';
import { secretRecognizers } from './secret-recognizers.js';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SEP = "[\\s_.'’-]+";
const pieces = (w: string) =>
  w
    .toLowerCase()
    .split(/[\s_.'’-]+/)
    .filter(Boolean);

function contextMatcher(words: readonly string[] | undefined): RegExp | undefined {
  if (!words || words.length === 0) return undefined;
  const alts = words.map((w) => pieces(w).map(escapeRe).join(SEP));
  return new RegExp(`(?<![a-z0-9])(?:${alts.join('|')})(?![a-z0-9])`, 'i');
}

interface Compiled {
  rec: Recognizer;
  ctx?: RegExp;
  gate?: RegExp;
  ctxLower?: RegExp;
  gateLower?: RegExp;
}

function lowerForMatching(text: string): string | undefined {
  const lower = text.toLowerCase();
  return lower.length === text.length && !text.includes('\u212a') ? lower : undefined;
}

const BEFORE = 48;
const AFTER = 24;
const VALUE_SLACK = 64;

function contextHit(text: string, start: number, end: number, ctx: RegExp): boolean {
  return ctx.test(text.slice(Math.max(0, start - BEFORE), start)) || ctx.test(text.slice(end, end + AFTER));
}

function contextWindows(text: string, gate: RegExp): [number, number][] | undefined {
  const out: [number, number][] = [];
  gate.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = gate.exec(text)) !== null) {
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

function resolveOverlaps(cands: Finding[]): Finding[] {
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

/** The pre-issue-19 scan with the default configuration (threshold 0.5, every built-in recognizer). */
export function createLegacyScan(threshold = 0.5): (text: string) => Finding[] {
  const compiled: Compiled[] = [...secretRecognizers(), ...piiRecognizers(), ...nameRecognizers()].map((rec) => {
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
  return (text) => {
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
      const boost = rec.contextBoost ?? 0;
      const cap = rec.maxScore ?? 1;
      const emit = (start: number, end: number, base: number) => {
        let score = base;
        if (ctx && boost > 0 && score < cap && score + boost >= threshold) {
          const low = lowerText();
          if (low !== undefined ? contextHit(low, start, end, ctxLower!) : contextHit(text, start, end, ctx))
            score = Math.min(cap, score + boost);
        }
        if (score < threshold || end <= start) return;
        cands.push({ type: rec.entity, start, end, score: Math.round(score * 100) / 100, detector: rec.name });
      };
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
    return resolveOverlaps(cands);
  };
}
