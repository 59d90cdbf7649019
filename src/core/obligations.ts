// Merging limits: the most restrictive value wins (smaller number, intersection of lists, any true, stricter DLP mode).
import { DLP_MODE_LIMITS, dlpModeOf, stricterDlpMode } from './dlp-mode-limit.js';
import type { Obligations } from './governance.js';

export type LimitValue = number | boolean | string | string[];

/**
 * Merges one limit into `o` in place. DLP modes (promptDlp, outputDlp: `block` or `[block]`) merge to the stricter,
 * stored as a plain string. Other plain strings are for policy conditions, not limits, and are skipped.
 */
export function mergeLimit(o: Obligations, key: string, v: LimitValue | undefined): void {
  const cur = o[key];
  if (DLP_MODE_LIMITS.has(key)) {
    const mode = stricterDlpMode(dlpModeOf(cur), dlpModeOf(v));
    if (mode) o[key] = mode;
    return;
  }
  if (typeof v === 'number') o[key] = typeof cur === 'number' ? Math.min(cur, v) : v;
  else if (typeof v === 'boolean') o[key] = cur === true || v;
  else if (Array.isArray(v)) o[key] = Array.isArray(cur) ? cur.filter((x) => v.includes(x)) : [...v];
}

/** A new obligations object with every limit of `b` merged into `a`. */
export function mergeObligations(a: Obligations, b: Obligations): Obligations {
  const out: Obligations = { ...a };
  for (const [k, v] of Object.entries(b)) mergeLimit(out, k, v);
  return out;
}
