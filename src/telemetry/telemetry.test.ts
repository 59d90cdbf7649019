// Tests of the telemetry pipeline: redaction before fan-out, aggregates in both stores, Prometheus text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { testDatabases } from '../testing/databases.js';
import { TelemetryPipeline } from './telemetry-pipeline.js';
import { MinuteAggregates } from './minute-aggregates.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { dlpRedactor } from './redact.js';

// Stands in for the DLP engine (src/dlp) with the same redact() surface.
const fakeDlp = {
  redact: (t: string) => ({
    text: t.replace(/\d{3}-\d{2}-\d{4}/g, '[US_SSN]').replace(/\S+@\S+/g, '[EMAIL_ADDRESS]'),
    findings: [],
  }),
};
import { telemetryMigrations } from './telemetry-migrations.js';
import type { TelemetryEvent } from '../core/sinks.js';

describe('telemetry pipeline', () => {
  it('redacts string labels with the DLP engine before any listener or the recent history sees them', () => {
    const clock = new ManualClock();
    const p = new TelemetryPipeline({ clock, redact: dlpRedactor(fakeDlp) });
    const seen: TelemetryEvent[] = [];
    p.subscribe((e) => seen.push(e));
    p.emit({
      kind: 'error',
      time: clock.now(),
      app: 'a',
      attrs: { message: 'failed for 123-45-6789 / bob@example.com', outcome: 'error' },
    });
    assert.equal(seen.length, 1);
    const msg = String(seen[0].attrs?.message);
    assert.doesNotMatch(msg, /123-45-6789/);
    assert.doesNotMatch(msg, /bob@example\.com/);
    assert.doesNotMatch(JSON.stringify(p.recent('a', 0)), /123-45-6789/);
  });

  it('drops a label whole when the DLP engine refuses it (block), fail closed', () => {
    const p = new TelemetryPipeline({
      redact: dlpRedactor({
        redact: () => {
          throw new Error('blocked');
        },
      }),
    });
    const seen: TelemetryEvent[] = [];
    p.subscribe((e) => seen.push(e));
    p.emit({ kind: 'error', time: 1, attrs: { message: 'secret 123-45-6789', n: 3 } });
    assert.deepEqual(seen[0].attrs, { message: '[REDACTED]', n: 3 });
  });

  it('redacts each distinct label once (cached by digest) and still redacts new values', () => {
    let calls = 0;
    const r = dlpRedactor({ redact: (t: string) => (calls++, fakeDlp.redact(t)) });
    assert.equal(r('outcome ok'), 'outcome ok');
    assert.equal(r('outcome ok'), 'outcome ok');
    assert.equal(calls, 1);
    assert.equal(r('id 536-22-8173'), 'id [US_SSN]');
    assert.equal(r('id 536-22-8173'), 'id [US_SSN]');
    assert.equal(calls, 2);
  });

  it('keeps delivering to other listeners when one throws, and never throws to the caller', () => {
    const p = new TelemetryPipeline();
    let got = 0;
    p.subscribe(() => {
      throw new Error('bad consumer');
    });
    p.subscribe(() => {
      got++;
    });
    assert.doesNotThrow(() => p.emit({ kind: 'run', time: 1 }));
    assert.equal(got, 1);
  });

  it('keeps only the recent window per app', () => {
    const clock = new ManualClock();
    const p = new TelemetryPipeline({ clock, recentMs: 60_000 });
    p.emit({ kind: 'run', time: clock.now(), app: 'a' });
    clock.advance(120_000);
    p.emit({ kind: 'run', time: clock.now(), app: 'a' });
    assert.equal(p.recent('a', 0).length, 1);
    assert.equal(p.recent('b', 0).length, 0);
  });

  it('bounds the recent history per app to the newest recentPerApp events, in order, across many emits', () => {
    const clock = new ManualClock();
    const p = new TelemetryPipeline({ clock, recentMs: 60_000, recentPerApp: 10 });
    for (let i = 0; i < 1000; i++) {
      p.emit({ kind: 'run', time: clock.now(), app: 'a', metrics: { n: i } });
      clock.advance(10);
    }
    const got = p.recent('a', 0).map((e) => e.metrics?.n);
    assert.deepEqual(
      got,
      Array.from({ length: 10 }, (_, i) => 990 + i),
    );
    // Events that fell out of the time window are not returned even before a trim removes them.
    for (let i = 0; i < 5; i++) p.emit({ kind: 'run', time: clock.now(), app: 'b', metrics: { n: i } });
    clock.advance(60_500);
    p.emit({ kind: 'run', time: clock.now(), app: 'b', metrics: { n: 5 } });
    assert.deepEqual(
      p.recent('b', 0).map((e) => e.metrics?.n),
      [5],
    );
  });
});

for (const t of testDatabases) {
  describe(`minute aggregates: ${t.name}`, () => {
    it('sums metrics per minute and dimension across flushes', async () => {
      const { db, cleanup } = await t.open(telemetryMigrations);
      try {
        const agg = new MinuteAggregates(db);
        const t0 = Date.parse('2026-03-01T10:00:10Z');
        agg.add({
          kind: 'model.invocation',
          time: t0,
          app: 'a',
          user: 'u1',
          model: 'm',
          metrics: { tokensIn: 10, costUsd: 0.25 },
        });
        agg.add({
          kind: 'model.invocation',
          time: t0 + 20_000,
          app: 'a',
          user: 'u2',
          model: 'm',
          metrics: { tokensIn: 5, costUsd: 0.5 },
        });
        await agg.flush();
        agg.add({ kind: 'model.invocation', time: t0 + 30_000, app: 'a', model: 'm', metrics: { tokensIn: 1 } });
        agg.add({ kind: 'model.invocation', time: t0 + 60_000, app: 'a', model: 'm', metrics: { tokensIn: 100 } });
        const rows = await agg.query({ dim: 'app', key: 'a', metric: 'tokensIn', from: t0, to: t0 + 120_000 });
        assert.deepEqual(
          rows.map((r) => [r.minute - Date.parse('2026-03-01T10:00:00Z'), r.total, r.samples]),
          [
            [0, 16, 3],
            [60_000, 100, 1],
          ],
        );
        const cost = await agg.query({ dim: 'model', key: 'm', metric: 'costUsd', from: t0, to: t0 });
        assert.equal(cost[0].total, 0.75);
        const u = await agg.query({ dim: 'user', key: 'u2', metric: 'events', from: t0, to: t0 + 120_000 });
        assert.deepEqual(
          u.map((r) => r.total),
          [1],
        );
        assert.deepEqual(await agg.query({ dim: 'connector', key: 'x', from: t0, to: t0 + 120_000 }), []);
      } finally {
        await cleanup();
      }
    });
  });
}

describe('prometheus metrics', () => {
  it('exposes tokens, cost, DLP detections and latency from events', async () => {
    const pm = new PrometheusMetrics();
    pm.onEvent({
      kind: 'model.invocation',
      time: 1,
      app: 'a',
      model: 'gpt',
      metrics: { tokensIn: 7, tokensOut: 3, costUsd: 0.01, latencyMs: 40 },
      attrs: { outcome: 'ok' },
    });
    pm.onEvent({
      kind: 'dlp.detection',
      time: 1,
      app: 'a',
      metrics: { count: 2 },
      attrs: { entities: 'US_SSN,EMAIL_ADDRESS' },
    });
    const text = await pm.text();
    assert.match(text, /gatehouse_model_tokens_total\{app="a",model="gpt",direction="input"\} 7/);
    assert.match(text, /gatehouse_model_tokens_total\{app="a",model="gpt",direction="output"\} 3/);
    assert.match(text, /gatehouse_dlp_detections_total\{app="a",entity="US_SSN"\} 2/);
    assert.match(text, /gatehouse_latency_ms_count\{kind="model.invocation",app="a"\} 1/);
    assert.match(text, /gatehouse_events_total\{kind="dlp.detection",app="a",outcome=""\} 1/);
  });
});
