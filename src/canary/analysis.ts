// The analysis gate: candidate against baseline on every metric of issue 18, each with its statistical test, and a
// verdict. A metric fails when it crosses its threshold and its test says the difference is real (p < alpha); it is
// inconclusive when it crosses the threshold without that evidence; the stage is inconclusive with too few runs.
import type { Thresholds } from './canary-policy.js';
import type { RunSample } from './run-sample.js';
import { mannWhitneyU, mean, quantile, twoProportionZ } from './statistics.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface MetricResult {
  metric: string;
  baseline: number;
  candidate: number;
  threshold: string;
  test: 'mann-whitney-u' | 'two-proportion-z';
  statistic: number;
  p: number;
  verdict: Verdict;
}

export interface Analysis {
  verdict: Verdict;
  samples: { baseline: number; candidate: number };
  metrics: MetricResult[];
  /** One line per failing or inconclusive metric, for people. */
  reasons: string[];
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

function judge(crossed: boolean, p: number, alpha: number): Verdict {
  if (!crossed) return 'pass';
  return p < alpha ? 'fail' : 'inconclusive';
}

export function analyze(baseline: RunSample[], candidate: RunSample[], t: Thresholds, minSamples: number): Analysis {
  const metrics: MetricResult[] = [];
  const rate = (metric: string, pick: (s: RunSample) => boolean, maxIncrease: number) => {
    const x2 = baseline.filter(pick).length;
    const x1 = candidate.filter(pick).length;
    const r = twoProportionZ(x1, candidate.length, x2, baseline.length);
    metrics.push({
      metric,
      baseline: round(r.p2),
      candidate: round(r.p1),
      threshold: `increase ≤ ${maxIncrease}`,
      test: 'two-proportion-z',
      statistic: round(r.z),
      p: round(r.p),
      verdict: judge(r.p1 - r.p2 > maxIncrease, r.p, t.alpha),
    });
  };
  /** Continuous metric: the candidate's summary over the baseline's must stay within `maxRatio`. */
  const ratio = (
    metric: string,
    pick: (s: RunSample) => number,
    summary: (xs: number[]) => number,
    maxRatio: number,
  ) => {
    const b = baseline.map(pick);
    const c = candidate.map(pick);
    const sb = summary(b);
    const sc = summary(c);
    const r = mannWhitneyU(c, b);
    // A baseline of 0 (no tokens, free model) makes any positive candidate value an unbounded increase.
    const crossed = sb > 0 ? sc / sb > maxRatio : sc > 0;
    metrics.push({
      metric,
      baseline: round(sb),
      candidate: round(sc),
      threshold: `ratio ≤ ${maxRatio}`,
      test: 'mann-whitney-u',
      statistic: round(r.u),
      p: round(r.p),
      verdict: judge(crossed && r.z > 0, r.p, t.alpha),
    });
  };
  rate('error_rate', (s) => s.error, t.maxErrorRateIncrease);
  rate('refusal_rate', (s) => s.refused, t.maxRefusalRateIncrease);
  rate('egress_denied_rate', (s) => s.egressDenied, t.maxEgressDeniedRateIncrease);
  ratio(
    'latency_p50_ms',
    (s) => s.latencyMs,
    (xs) => quantile(xs, 0.5),
    t.maxLatencyRatio,
  );
  ratio(
    'latency_p95_ms',
    (s) => s.latencyMs,
    (xs) => quantile(xs, 0.95),
    t.maxLatencyRatio,
  );
  ratio('tokens_per_call', (s) => s.tokens, mean, t.maxTokensRatio);
  ratio('cost_per_call_usd', (s) => s.costUsd, mean, t.maxCostRatio);
  const types = new Set([...baseline, ...candidate].flatMap((s) => Object.keys(s.dlp)));
  for (const type of [...types].sort()) {
    const b = baseline.map((s) => s.dlp[type] ?? 0);
    const c = candidate.map((s) => s.dlp[type] ?? 0);
    const r = mannWhitneyU(c, b);
    const mb = mean(b);
    const mc = mean(c);
    metrics.push({
      metric: `dlp_per_call:${type}`,
      baseline: round(mb),
      candidate: round(mc),
      threshold: `increase ≤ ${t.maxDlpPerCallIncrease}`,
      test: 'mann-whitney-u',
      statistic: round(r.u),
      p: round(r.p),
      verdict: judge(mc - mb > t.maxDlpPerCallIncrease, r.p, t.alpha),
    });
  }
  const reasons = metrics
    .filter((m) => m.verdict !== 'pass')
    .map(
      (m) =>
        `${m.metric}: candidate ${m.candidate} vs baseline ${m.baseline} (${m.threshold}, p=${m.p}) → ${m.verdict}`,
    );
  const few = baseline.length < minSamples || candidate.length < minSamples;
  if (few)
    reasons.push(`too few runs: ${candidate.length} candidate, ${baseline.length} baseline (need ${minSamples} each)`);
  const verdict: Verdict = metrics.some((m) => m.verdict === 'fail')
    ? 'fail'
    : few || metrics.some((m) => m.verdict === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return { verdict, samples: { baseline: baseline.length, candidate: candidate.length }, metrics, reasons };
}
