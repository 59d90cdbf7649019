// Issue 20 item 1: a rule whose events arrive spread over three replicas fires exactly once, for threshold windows,
// anomaly (EWMA) baselines and error-rate regressions. With windows kept per replica (the old behaviour, still the default for one
// process) the same events fire nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { systemClock } from '../core/clock.js';
import type { AuditEventInput, TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { SignedCoordination } from '../coord/signed-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import { AlertEngine, type AlertResponder } from './alert-engine.js';
import { parseAlertRules } from './alert-rule-schema.js';
import { AlertStore } from './alert-store.js';
import { telemetryMigrations } from './telemetry-migrations.js';

const rule = parseAlertRules([
  {
    source: 'test',
    value: {
      apiVersion: 'gatehouse/v1',
      kind: 'AlertRule',
      metadata: { name: 'ssn-spread' },
      spec: {
        match: { kind: 'dlp.detection', attrs: { entities: 'US_SSN' } },
        groupBy: 'app',
        condition: { type: 'threshold', metric: 'count', op: '>=', value: 3, window: '5m' },
        actions: [{ kill: {} }],
        cooldown: '10m',
      },
    },
  },
]);

const detection = (i: number): TelemetryEvent => ({
  kind: 'dlp.detection',
  time: systemClock.now() + i,
  app: 'leaky-bot',
  attrs: { entities: 'US_SSN' },
  metrics: { count: 1 },
});

const anomalyRule = parseAlertRules([
  {
    source: 'test',
    value: {
      apiVersion: 'gatehouse/v1',
      kind: 'AlertRule',
      metadata: { name: 'token-spike' },
      spec: {
        match: { kind: 'model.invocation' },
        groupBy: 'app',
        condition: { type: 'anomaly', metric: 'tokens', factor: 3, minVolume: 600, minBaselineMinutes: 5 },
        actions: [{ kill: {} }],
        cooldown: '10m',
      },
    },
  },
]);

/**
 * Six quiet minutes of 100 tokens per call, two calls a minute, then a spike minute of nine calls: every event goes
 * to the next replica in turn. All replicas: baseline 200/min, spike 900 >= 3 x 200 and >= 600. One replica: a
 * baseline of ~67/min and a spike of 300, under the 600 minimum volume, so it never fires.
 */
function anomalyEvents(): TelemetryEvent[] {
  const t0 = (Math.floor(systemClock.now() / 60_000) - 10) * 60_000;
  const call = (minute: number, i: number): TelemetryEvent => ({
    kind: 'model.invocation',
    time: t0 + minute * 60_000 + i * 1000,
    app: 'leaky-bot',
    metrics: { tokensIn: 60, tokensOut: 40 },
  });
  const out: TelemetryEvent[] = [];
  for (let minute = 0; minute < 6; minute++) for (let i = 0; i < 2; i++) out.push(call(minute, i));
  for (let i = 0; i < 9; i++) out.push(call(6, i));
  return out;
}

/** The same rule over hourly buckets (rows read per hour, say): the totals and baseline are per hour. */
const hourlyAnomalyRule = parseAlertRules([
  {
    source: 'test',
    value: {
      apiVersion: 'gatehouse/v1',
      kind: 'AlertRule',
      metadata: { name: 'token-spike-hourly' },
      spec: {
        match: { kind: 'model.invocation' },
        groupBy: 'app',
        condition: {
          type: 'anomaly',
          metric: 'tokens',
          factor: 3,
          minVolume: 600,
          minBaselineMinutes: 5,
          bucket: '1h',
          halfLife: '2h',
        },
        actions: [{ kill: {} }],
        cooldown: '10m',
      },
    },
  },
]);

/** anomalyEvents in hours, each hour's calls minutes apart: no single minute reaches the 600 minimum volume. */
function hourlyAnomalyEvents(): TelemetryEvent[] {
  const hour = 3_600_000;
  const t0 = (Math.floor(systemClock.now() / hour) - 10) * hour;
  return anomalyEvents().map((e, i) => {
    const minuteIndex = Math.floor((e.time - anomalyEvents()[0].time) / 60_000);
    return { ...e, time: t0 + minuteIndex * hour + (i % 9) * 6 * 60_000 };
  });
}

const regressionRule = parseAlertRules([
  {
    source: 'test',
    value: {
      apiVersion: 'gatehouse/v1',
      kind: 'AlertRule',
      metadata: { name: 'bad-release' },
      spec: {
        match: { kind: 'model.invocation' },
        groupBy: 'app',
        condition: { type: 'regression', measure: 'error_rate', factor: 2, window: '5m', minEvents: 6 },
        actions: [{ kill: {} }],
        cooldown: '10m',
      },
    },
  },
]);

/** Nine calls of v1 (none failing), then nine of v2, six of them failing: three of each per replica, under the
 * six-event minimum on any one replica; 0.67 against 0 over all of them. */
function regressionEvents(): TelemetryEvent[] {
  const t0 = systemClock.now() - 60_000;
  const call = (version: number, i: number, failed: boolean): TelemetryEvent => ({
    kind: 'model.invocation',
    time: t0 + version * 10_000 + i * 100,
    app: 'leaky-bot',
    appVersion: version,
    attrs: { outcome: failed ? 'error' : 'ok' },
  });
  return [
    ...Array.from({ length: 9 }, (_, i) => call(1, i, false)),
    ...Array.from({ length: 9 }, (_, i) => call(2, i, i % 3 !== 0)),
  ];
}

/** Three engines, one per replica, sharing one store; returns how many kills they ordered in total. */
async function spreadOverThree(
  coords: Coordination[],
  sharedWindows: boolean,
  rules = rule,
  events: TelemetryEvent[] = [0, 1, 2].map(detection),
): Promise<string[]> {
  const { db, cleanup } = await testDatabases[0].open(telemetryMigrations);
  const kills: string[] = [];
  const responder: AlertResponder = {
    notify: async () => ({ ok: true }),
    cap: async () => ({ id: 'cap' }),
    kill: async (k) => (kills.push(k.target), { id: `kill-${kills.length}` }),
    rollback: async () => ({ id: 'rb', toVersion: 1 }),
  };
  const audit = { append: async (_e: AuditEventInput) => ({ index: 0 }) };
  const store = new AlertStore(db);
  const engines = coords.map((coord) => new AlertEngine({ store, responder, audit, coord, sharedWindows }));
  try {
    await engines[0].apply(rules, 'sec');
    for (const e of engines) await e.reload();
    for (let i = 0; i < events.length; i++) {
      engines[i % 3].onEvent(events[i]);
      // In order, as a load balancer spreads them: each replica's window has taken the event before the next.
      for (const e of engines) await e.idle();
    }
    // One more event inside the cooldown fires nothing more.
    const last = events.at(-1)!;
    engines[1].onEvent({ ...last, time: last.time + 1 });
    for (const e of engines) await e.idle();
    return kills;
  } finally {
    for (const e of engines) await e.stop();
    await cleanup();
  }
}

describe('alert windows across three replicas', () => {
  it('per-replica windows (no shared store) see one event each and never fire', async () => {
    const kills = await spreadOverThree(
      [1, 2, 3].map(() => new MemoryCoordination()),
      false,
    );
    assert.deepEqual(kills, []);
  });

  it('shared windows over one coordination store fire exactly once', async () => {
    const shared = new MemoryCoordination();
    const kills = await spreadOverThree([shared, shared, shared], true);
    assert.deepEqual(kills, ['leaky-bot']);
  });

  it('regression (error rate): per-replica windows stay under the minimum and never fire', async () => {
    const kills = await spreadOverThree(
      [1, 2, 3].map(() => new MemoryCoordination()),
      false,
      regressionRule,
      regressionEvents(),
    );
    assert.deepEqual(kills, []);
  });

  it('regression (error rate): shared per-version counts fire exactly once', async () => {
    const shared = new MemoryCoordination();
    assert.deepEqual(await spreadOverThree([shared, shared, shared], true, regressionRule, regressionEvents()), [
      'leaky-bot',
    ]);
  });

  it('anomaly: per-replica baselines see a third of the spike and never fire', async () => {
    const kills = await spreadOverThree(
      [1, 2, 3].map(() => new MemoryCoordination()),
      false,
      anomalyRule,
      anomalyEvents(),
    );
    assert.deepEqual(kills, []);
  });

  it('anomaly: shared minute totals and baseline fire exactly once', async () => {
    const shared = new MemoryCoordination();
    assert.deepEqual(await spreadOverThree([shared, shared, shared], true, anomalyRule, anomalyEvents()), [
      'leaky-bot',
    ]);
  });

  it('anomaly with hourly buckets: shared hour totals fire exactly once (minute totals never reach the volume)', async () => {
    const shared = new MemoryCoordination();
    const events = hourlyAnomalyEvents();
    assert.deepEqual(await spreadOverThree([shared, shared, shared], true, hourlyAnomalyRule, events), ['leaky-bot']);
  });

  it('anomaly: a spike each replica sees alone fires on all three without sharing, once with it', async () => {
    const one = new MemoryCoordination();
    const events = anomalyEvents().map((e) => ({ ...e, metrics: { tokensIn: 180, tokensOut: 120 } }));
    // 300-token calls on every replica: the spike is 2700 against a 600/min baseline (each replica alone: 900 vs 200).
    assert.deepEqual(
      await spreadOverThree(
        [1, 2, 3].map(() => new MemoryCoordination()),
        false,
        anomalyRule,
        events,
      ),
      ['leaky-bot', 'leaky-bot', 'leaky-bot'],
    );
    assert.deepEqual(await spreadOverThree([one, one, one], true, anomalyRule, events), ['leaky-bot']);
  });
});

describe('alert windows across three replicas on Redis', await suiteNeeds(REDIS), () => {
  it('fire exactly once when each replica sees one of the three events', async () => {
    const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
    const key = randomBytes(32).toString('hex');
    const coords = [1, 2, 3].map(
      () => new SignedCoordination(new RedisCoordination({ url: TEST_REDIS_URL, prefix }), { key }),
    );
    try {
      assert.deepEqual(await spreadOverThree(coords, true), ['leaky-bot']);
      assert.deepEqual(await spreadOverThree(coords, true, anomalyRule, anomalyEvents()), ['leaky-bot']);
      assert.deepEqual(await spreadOverThree(coords, true, regressionRule, regressionEvents()), ['leaky-bot']);
    } finally {
      for (const c of coords) await c.close();
    }
  });
});
