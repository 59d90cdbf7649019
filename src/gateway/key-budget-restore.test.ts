// A key's daily and monthly spend survives a restart: the counters are rebuilt from the cost rows, so a key that
// spent its budget before the restart is still refused after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { LimitExceededError } from '../core/errors.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { Budgets } from './budgets.js';
import { CostLedger } from './cost-ledger.js';
import { gatewayMigrations } from './gateway-migrations.js';

const row = (time: number, keyId: string, costNanos: number) => ({
  time,
  app: 'desk',
  appVersion: 1,
  user: 'u',
  model: 'm',
  tokensIn: 1,
  tokensOut: 1,
  costNanos,
  outcome: 'ok',
  keyId,
  team: 'billing',
});

test('key budgets are rebuilt from the cost rows on start (day and month)', async () => {
  const s = await testDatabases[0].open(gatewayMigrations);
  try {
    const clock = new ManualClock(Date.parse('2026-03-20T12:00:00Z'));
    const ledger = new CostLedger(s.db, silentLogger);
    ledger.add(row(Date.parse('2026-03-20T08:00:00Z'), 'key_a', 900)); // today
    ledger.add(row(Date.parse('2026-03-02T08:00:00Z'), 'key_a', 5000)); // earlier this month
    ledger.add(row(Date.parse('2026-02-27T08:00:00Z'), 'key_a', 99_000)); // last month: not counted
    await ledger.flush();
    assert.deepEqual(await ledger.keySpent('2026-03-20'), [{ key: 'key_a', dayNanos: 900, monthNanos: 5900 }]);

    const budgets = new Budgets(new MemoryCoordination(), clock); // a fresh process: counters empty
    await budgets.restore(ledger);
    const scope = { app: 'desk', user: 'u', key: 'key_a' };
    await assert.rejects(budgets.reserve(scope, { keyDailyNanos: 1000 }, 200, 1), (e: LimitExceededError) =>
      /Key key_a daily budget/.test(e.message),
    );
    await (await budgets.reserve(scope, { keyDailyNanos: 1000 }, 100, 1)).settle(100, 1);
    await assert.rejects(
      budgets.reserve(scope, { keyMonthlyNanos: 6000 }, 200, 1),
      (e: LimitExceededError) => /Key key_a monthly budget/.test(e.message) && e.extra.budget === 'key_monthly_cost',
    );
    await ledger.close();
  } finally {
    await s.cleanup();
  }
});
