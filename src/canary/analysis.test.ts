// The gate's verdicts on synthetic samples: a real regression fails with the metric named, a same-looking candidate
// passes, a crossing without evidence (or too few runs) is inconclusive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from './analysis.js';
import { thresholdsSchema } from './canary-policy.js';
import type { RunSample } from './run-sample.js';

const t = thresholdsSchema.parse({});
const run = (i: number, over: Partial<RunSample> = {}): RunSample => ({
  error: false,
  refused: false,
  egressDenied: false,
  latencyMs: 100 + (i % 7) * 3,
  tokens: 200 + (i % 5),
  costUsd: 0.0002 + (i % 5) * 1e-6,
  dlp: {},
  ...over,
});
const many = (n: number, over?: (i: number) => Partial<RunSample>) =>
  Array.from({ length: n }, (_, i) => run(i, over?.(i)));

describe('analyze', () => {
  it('passes a candidate that behaves like the baseline', () => {
    const a = analyze(many(30), many(30), t, 10);
    assert.equal(a.verdict, 'pass', a.reasons.join('; '));
    assert.ok(a.metrics.find((m) => m.metric === 'tokens_per_call'));
  });

  it('fails doubled tokens and cost, naming the metrics', () => {
    const a = analyze(
      many(30),
      many(30, (i) => ({ tokens: 2 * (200 + (i % 5)), costUsd: 2 * (0.0002 + (i % 5) * 1e-6) })),
      t,
      10,
    );
    assert.equal(a.verdict, 'fail');
    const failed = a.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
    assert.deepEqual(failed.sort(), ['cost_per_call_usd', 'tokens_per_call']);
  });

  it('fails SSNs appearing in outputs, per type', () => {
    const a = analyze(
      many(20),
      many(20, () => ({ dlp: { US_SSN: 1 } })),
      t,
      10,
    );
    assert.equal(a.verdict, 'fail');
    const m = a.metrics.find((x) => x.metric === 'dlp_per_call:US_SSN');
    assert.equal(m?.verdict, 'fail');
    assert.equal(m?.candidate, 1);
    assert.ok(m!.p < 0.001);
  });

  it('fails a higher error rate and is inconclusive on one stray error', () => {
    assert.equal(
      analyze(
        many(40),
        many(40, (i) => ({ error: i % 2 === 0 })),
        t,
        10,
      ).verdict,
      'fail',
    );
    const one = analyze(
      many(20),
      many(20, (i) => ({ error: i === 0 })),
      t,
      10,
    );
    assert.equal(one.verdict, 'inconclusive', 'one error in 20 crosses 2 points but is no evidence');
  });

  it('is inconclusive with too few runs', () => {
    const a = analyze(many(3), many(3), t, 10);
    assert.equal(a.verdict, 'inconclusive');
    assert.match(a.reasons.join(' '), /too few runs/);
  });
});
