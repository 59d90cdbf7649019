// Data telemetry end to end in one process: every governed query through the capability bridge emits a data.access
// event (dataset, app, rows, latency) into the real telemetry pipeline; the per-minute aggregates show the observed
// app>dataset edges (the data-flow map's input), and alert rules on rows_read fire on a burst of reads, both over a
// sliding window and as a per-hour anomaly against the EWMA baseline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryApps } from '../apps/testing/memory-apps.js';
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { CapabilityBridge } from '../sandbox/capability-bridge.js';
import { RunTokens } from '../sandbox/run-token.js';
import { FakeGovernor, MemoryAudit, testManifest } from '../sandbox/sandbox-fakes.js';
import { parseAlertRules } from '../telemetry/alert-rule-schema.js';
import type { AlertResponder } from '../telemetry/alert-engine.js';
import { defaultTelemetryConfig } from '../telemetry/telemetry-config.js';
import { createTelemetryFeature, type TelemetryFeature } from '../telemetry/telemetry-feature.js';
import { telemetryMigrations } from '../telemetry/telemetry-migrations.js';
import { testDatabases } from '../testing/databases.js';
import { DataSources } from './data-sources.js';
import { DataSql } from './data-sql.js';
import { sqliteFixture, type DataFixture } from './testing/data-fixtures.js';

const rule = (name: string, condition: Record<string, unknown>) => ({
  source: `${name}.yaml`,
  value: {
    apiVersion: 'gatehouse/v1',
    kind: 'AlertRule',
    metadata: { name },
    spec: {
      match: { kind: 'data.access', attrs: { dataset: 'customers' } },
      groupBy: 'app',
      condition,
      actions: [{ notify: { webhook: 'http://127.0.0.1:9/hooks/data-owner' } }],
      cooldown: '1m',
    },
  },
});

describe('data telemetry: data.access events, data-flow edges, rows_read alerts', () => {
  let f: DataFixture;
  let sources: DataSources;
  let sql: DataSql;
  before(async () => {
    f = await sqliteFixture();
    sources = new DataSources({ sources: f.sources, home: f.home, env: {}, tokenKey: 't' });
    sql = new DataSql(sources, { tokenKey: 't', auditKey: 'a' });
  });
  after(async () => {
    await sources?.close();
    await f?.drop();
  });

  async function setup(clock: ManualClock) {
    const { db, cleanup } = await testDatabases[0].open(telemetryMigrations);
    const notified: Record<string, unknown>[] = [];
    const responder: AlertResponder = {
      notify: async (_url, _headers, payload) => (notified.push(payload), { ok: true, status: 204 }),
      cap: async () => ({ id: 'cap' }),
      kill: async () => ({ id: 'kill' }),
      rollback: async () => ({ id: 'rb', toVersion: 1 }),
    };
    const tel: TelemetryFeature = await createTelemetryFeature({
      db,
      coord: new MemoryCoordination(clock),
      audit: new MemoryAudit(),
      clock,
      logger: silentLogger,
      config: { ...defaultTelemetryConfig, processMetrics: false },
      responder,
    });
    const tokens = new RunTokens(clock);
    const data = [{ dataset: 'customers', access: 'read', columns: ['id', 'region'], purpose: 'reporting' }];
    const v = new MemoryApps().add(testManifest('report-app', { data }), {});
    let n = 0;
    /** A run of report-app (a fresh one per call: run tokens expire as the manual clock moves). */
    const run = async () => {
      const runId = `run_${++n}`;
      const { token, claims } = await tokens.issue({ app: 'report-app', version: 1, user: 'u', run: runId }, 60_000);
      const deps = {
        governor: new FakeGovernor(),
        catalog: new MemoryCatalog([f.dataset()]),
        audit: new MemoryAudit(),
        telemetry: tel.pipeline,
        clock,
        tokens,
        dataSql: sql,
        rowDlp: 'off' as const,
      };
      return new CapabilityBridge(deps, { runId, traceId: runId, user: 'u', version: v, token, claims });
    };
    const read = (b: CapabilityBridge, limit: number) =>
      b.call('data.sql', { dataset: 'customers', sql: `SELECT id, region FROM customers LIMIT ${limit}` });
    return { tel, notified, run, read, close: async () => (await tel.close(), await cleanup()) };
  }

  it('each query emits data.access with rows and latency; aggregates list the app>dataset edge', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const { tel, run, read, close } = await setup(clock);
    try {
      const b = await run();
      await read(b, 7);
      await b.call('data.query', { dataset: 'customers', request: { columns: ['id'], where: { region: 'eu' } } });
      const events = tel.pipeline.recent('report-app', 0).filter((e) => e.kind === 'data.access');
      assert.deepEqual(
        events.map((e) => [e.dataset, e.metrics?.rows, e.attrs?.method]),
        [
          ['customers', 7, 'data.sql'],
          ['customers', 20, 'data.query'],
        ],
      );
      for (const e of events) assert.equal(typeof e.metrics?.latencyMs, 'number');
      const rows = await tel.aggregates.query({
        dim: 'data_flow',
        kind: 'data.access',
        metric: 'rows',
        from: clock.now() - 60_000,
        to: clock.now(),
      });
      assert.deepEqual(
        rows.map((r) => [r.key, r.total, r.samples]),
        [['report-app>customers', 27, 2]],
      );
      const byDataset = await tel.aggregates.query({
        dim: 'dataset',
        key: 'customers',
        kind: 'data.access',
        metric: 'events',
        from: clock.now() - 60_000,
        to: clock.now(),
      });
      assert.equal(byDataset[0]?.total, 2);
    } finally {
      await close();
    }
  });

  it('a burst of reads fires a rows_read threshold rule; steady reads do not', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:00Z'));
    const { tel, notified, run, read, close } = await setup(clock);
    try {
      await tel.alerts.apply(
        parseAlertRules([rule('rows-burst', { type: 'threshold', metric: 'rows_read', value: 100, window: '1m' })]),
        'sec',
      );
      for (let i = 0; i < 5; i++) {
        await read(await run(), 10); // 10 rows every 30 s: at most 20 in any minute
        clock.advance(30_000);
      }
      await tel.alerts.idle();
      assert.equal(notified.length, 0, 'steady reads stay under the threshold');
      const burst = await run();
      for (let i = 0; i < 3; i++) await read(burst, 40);
      await tel.alerts.idle();
      assert.equal(notified.length, 1, 'the burst fires the rule');
      const [firing] = await tel.alertStore.history({ app: 'report-app' });
      assert.equal(firing.rule, 'rows-burst');
      assert.ok(firing.observed.value >= 100, JSON.stringify(firing.observed));
    } finally {
      await close();
    }
  });

  it('a per-hour rows_read anomaly fires when an hour reads far more than the baseline', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
    const { tel, notified, run, read, close } = await setup(clock);
    try {
      await tel.alerts.apply(
        parseAlertRules([
          rule('rows-hourly', {
            type: 'anomaly',
            metric: 'rows_read',
            bucket: '1h',
            factor: 5,
            halfLife: '6h',
            minVolume: 100,
            minBaselineMinutes: 3,
          }),
        ]),
        'sec',
      );
      for (let h = 0; h < 4; h++) {
        await read(await run(), 20); // 20 rows an hour: the baseline
        clock.advance(3_600_000);
      }
      await tel.alerts.idle();
      assert.equal(notified.length, 0);
      const b = await run();
      for (let i = 0; i < 4; i++) await read(b, 40); // 160 rows this hour, 8x the baseline
      await tel.alerts.idle();
      assert.equal(notified.length, 1);
      const [firing] = await tel.alertStore.history({ app: 'report-app' });
      assert.equal(firing.rule, 'rows-hourly');
      assert.equal(firing.observed.baseline, 20);
    } finally {
      await close();
    }
  });
});
