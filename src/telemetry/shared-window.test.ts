// Issue 20 item 1: a rule whose events arrive spread over three replicas fires exactly once. With windows kept
// per replica (the old behaviour, still the default for one process) the same events fire nothing.
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

/** Three engines, one per replica, sharing one store; returns how many kills they ordered in total. */
async function spreadOverThree(coords: Coordination[], sharedWindows: boolean): Promise<string[]> {
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
    await engines[0].apply(rule, 'sec');
    for (const e of engines) await e.reload();
    for (let i = 0; i < 3; i++) engines[i].onEvent(detection(i));
    for (const e of engines) await e.idle();
    // A fourth event inside the cooldown fires nothing more.
    engines[1].onEvent(detection(3));
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
    } finally {
      for (const c of coords) await c.close();
    }
  });
});
