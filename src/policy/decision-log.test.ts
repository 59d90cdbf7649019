// The decision log sheds allows, never enforcing refusals: on overflow and when the store fails, and counts drops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision, GovernanceRequest } from '../core/governance.js';
import { silentLogger } from '../core/logger.js';
import type { SqlDb } from '../store/sql-db.js';
import { testDatabases } from '../testing/databases.js';
import { DecisionLog } from './decision-log.js';
import { policyMigrations } from './policy-migrations.js';

const req: GovernanceRequest = {
  action: 'model.invoke',
  subject: { user: 'ann', roles: [], groups: [] },
  resource: { type: 'model', id: 'gpt', attributes: {} },
  request: {},
};
const decision = (id: string, effect: Decision['effect']): Decision => ({
  id,
  time: 1,
  effect,
  obligations: {},
  warnings: [],
  matched: [],
  bundleRevision: 'r1',
  reason: effect,
  errors: [],
});

/** The store, failing its next `failures` transactions. */
function flaky(db: SqlDb, failures: number): SqlDb {
  let left = failures;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'transaction' && left > 0) {
        left--;
        return async () => {
          throw new Error('store down');
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('decision log under pressure', () => {
  const sqlite = testDatabases[0];

  it('on overflow drops the oldest allows, keeps every refusal, and counts the drops', async () => {
    const { db, cleanup } = await sqlite.open(policyMigrations);
    try {
      const log = new DecisionLog(db, silentLogger, { maxBuffered: 3, batchSize: 1000, flushIntervalMs: 60_000 });
      log.record(decision('deny-1', 'deny'), req);
      for (let i = 0; i < 5; i++) log.record(decision(`allow-${i}`, 'allow'), req);
      log.record(decision('ask-1', 'require_approval'), req);
      log.record(decision('deny-2', 'deny'), req);
      assert.equal(log.dropped, 5);
      const kept = (await log.query({ limit: 100 })).map((d) => d.id).sort();
      assert.deepEqual(kept, ['ask-1', 'deny-1', 'deny-2']);
    } finally {
      await cleanup();
    }
  });

  it('when the store fails, refusals wait for the next flush while allows are dropped and counted', async () => {
    const { db, cleanup } = await sqlite.open(policyMigrations);
    try {
      const log = new DecisionLog(flaky(db, 1), silentLogger, { batchSize: 1000, flushIntervalMs: 60_000 });
      log.record(decision('deny-1', 'deny'), req);
      log.record(decision('allow-1', 'allow'), req);
      await log.flush(); // fails
      assert.equal(log.dropped, 1);
      await log.flush(); // succeeds
      assert.deepEqual(
        (await log.query({ limit: 10 })).map((d) => d.id),
        ['deny-1'],
      );
    } finally {
      await cleanup();
    }
  });

  it('keeps one write in flight: while the store is slow, records wait in the bounded buffer', async () => {
    const { db, cleanup } = await sqlite.open(policyMigrations);
    try {
      const slow = new Proxy(db, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop === 'transaction')
            return async (fn: (tx: SqlDb) => Promise<unknown>) => {
              await new Promise((r) => setTimeout(r, 100));
              return target.transaction(fn as never);
            };
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const log = new DecisionLog(slow, silentLogger, { maxBuffered: 5, batchSize: 1, flushIntervalMs: 60_000 });
      for (let i = 0; i < 50; i++) log.record(decision(`allow-${i}`, 'allow'), req);
      assert.equal(log.dropped, 44, 'one in flight, five waiting: the rest were shed');
      log.record(decision('deny-late', 'deny'), req);
      assert.equal(log.dropped, 45, 'a refusal displaces the oldest waiting allow');
      await log.flush();
      const stored = (await log.query({ limit: 100 })).map((d) => d.id);
      assert.equal(stored.length, 6);
      assert.ok(stored.includes('deny-late'));
    } finally {
      await cleanup();
    }
  });
});
