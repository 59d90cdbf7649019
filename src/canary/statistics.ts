// Statistics for the canary analysis gate: Mann-Whitney U (normal approximation, tie and continuity correction,
// two-sided p) for continuous metrics and the pooled two-proportion z-test for rates.
// Hand-written on purpose: no maintained, dependency-free npm package offers both with tie correction (the
// candidates are unmaintained or pull in a whole numeric stack), and the formulas are short and tested against scipy.

export interface MannWhitneyResult {
  /** U of the first sample (scipy's convention: the statistic for x). */
  u: number;
  z: number;
  /** Two-sided p-value from the normal approximation. */
  p: number;
  n1: number;
  n2: number;
}

export interface ProportionResult {
  p1: number;
  p2: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
}

/** erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes, Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the standard normal, P(Z > z). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Average ranks (1-based) of the pooled values, and Σ(t³ − t) over tie groups for the variance correction. */
function rank(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[idx[k][1]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/**
 * Mann-Whitney U of x against y, two-sided, normal approximation with tie correction and (by default) the 0.5
 * continuity correction, as scipy.stats.mannwhitneyu(x, y, method='asymptotic'). p = 1 when either sample is empty
 * or every value is tied (no evidence of a difference).
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], continuity = true): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, p: 1, n1, n2 };
  const { ranks, tieTerm } = rank([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { u, z: 0, p: 1, n1, n2 };
  const d = Math.abs(u - mu) - (continuity ? 0.5 : 0);
  const z = Math.max(d, 0) / sigma;
  return { u, z: u >= mu ? z : -z, p: Math.min(1, 2 * normalSf(z)), n1, n2 };
}

/**
 * Pooled two-proportion z-test: x1 successes of n1 against x2 of n2, two-sided. p = 1 when there is nothing to
 * compare (an empty sample, or both rates 0 or both 1).
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): ProportionResult {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  if (n1 === 0 || n2 === 0) return { p1, p2, z: 0, p: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { p1, p2, z: 0, p: 1 };
  const z = (p1 - p2) / se;
  return { p1, p2, z, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** The q-quantile (0..1) by linear interpolation between closest ranks (numpy's default); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
