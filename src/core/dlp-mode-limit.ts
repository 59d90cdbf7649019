// The DLP mode limits (promptDlp, outputDlp): the one parser for their two written forms (`block` or `[block]`),
// used by the policy compiler, the limit merge and the gateway, and the order that makes one mode stricter.

/** Least to most restrictive: `tokenize` hides values reversibly, `mask` for good, `block` refuses the call. */
export const DLP_MODES = ['allow', 'tokenize', 'mask', 'block'] as const;
export type DlpMode = (typeof DLP_MODES)[number];

/** Obligation keys whose value is a DLP mode. */
export const DLP_MODE_LIMITS: ReadonlySet<string> = new Set(['promptDlp', 'outputDlp']);

const isMode = (v: unknown): v is DlpMode => typeof v === 'string' && (DLP_MODES as readonly string[]).includes(v);

/** `block` and `[block]` are the same limit; anything else (an unknown mode, several modes) is an error. */
export function parseDlpMode(v: unknown): { mode: DlpMode } | { error: string } {
  const one = Array.isArray(v) && v.length === 1 ? (v[0] as unknown) : v;
  if (isMode(one)) return { mode: one };
  return {
    error: `must be one of ${DLP_MODES.join(', ')} (a plain string or a one-item list), got ${JSON.stringify(v)}`,
  };
}

/**
 * The mode an obligation sets, for an enforcement point: undefined when absent; a value that does not parse
 * (never from a compiled policy) is read as `block`, failing closed.
 */
export function dlpModeOf(v: unknown): DlpMode | undefined {
  if (v === undefined) return undefined;
  const r = parseDlpMode(v);
  return 'mode' in r ? r.mode : 'block';
}

/** The stricter of two modes (an absent one yields the other). */
export function stricterDlpMode(a: DlpMode | undefined, b: DlpMode | undefined): DlpMode | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return DLP_MODES.indexOf(a) >= DLP_MODES.indexOf(b) ? a : b;
}
