// Span-match scoring: a finding matches a label of the same type when their overlap is >= 0.5 of their union.
import type { Finding } from '../../src/dlp/index.js';
import type { Sample } from './corpus.js';

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export function spanMatch(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return inter > 0 && inter / union >= 0.5;
}

export interface EvalResult {
  perType: Map<string, Counts>;
  negatives: Map<string, { n: number; flagged: number }>;
  errors: { id: string; kind: 'fp' | 'fn'; type: string; value: string }[];
}

export function evaluate(samples: Sample[], scan: (t: string) => Finding[]): EvalResult {
  const perType = new Map<string, Counts>();
  const negatives = new Map<string, { n: number; flagged: number }>();
  const errors: EvalResult['errors'] = [];
  const c = (t: string) => perType.get(t) ?? (perType.set(t, { tp: 0, fp: 0, fn: 0 }), perType.get(t)!);
  for (const s of samples) {
    const found = scan(s.text);
    if (s.negative) {
      const n = negatives.get(s.negative) ?? { n: 0, flagged: 0 };
      n.n++;
      if (found.length > 0) {
        n.flagged++;
        for (const f of found) errors.push({ id: s.id, kind: 'fp', type: f.type, value: s.text.slice(f.start, f.end) });
      }
      negatives.set(s.negative, n);
      continue;
    }
    const used = new Set<number>();
    for (const label of s.spans) {
      const i = found.findIndex((f, k) => !used.has(k) && f.type === label.type && spanMatch(f, label));
      if (i >= 0) {
        used.add(i);
        c(label.type).tp++;
      } else {
        c(label.type).fn++;
        errors.push({ id: s.id, kind: 'fn', type: label.type, value: s.text.slice(label.start, label.end) });
      }
    }
    found.forEach((f, k) => {
      if (used.has(k)) return;
      c(f.type).fp++;
      errors.push({ id: s.id, kind: 'fp', type: f.type, value: s.text.slice(f.start, f.end) });
    });
  }
  return { perType, negatives, errors };
}

export const prf = ({ tp, fp, fn }: Counts) => {
  const p = tp + fp === 0 ? 1 : tp / (tp + fp);
  const r = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { p, r, f1: p + r === 0 ? 0 : (2 * p * r) / (p + r) };
};
