// Issue 22 item 5: budgets hold against an upstream that ignores max_tokens and against a new `user` per call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { SqliteDb } from '../store/sqlite-db.js';
import { migrate } from '../store/sql-db.js';
import { Budgets } from './budgets.js';
import { CostLedger } from './cost-ledger.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

describe('red team: budgets (issue 22 item 5)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { retries: 0 } });
    // gpt-small: $1 / $4 per MTok; a call capped at 10 output tokens may cost about $0.00005.
    h.apps.put(appVersion('spender', { models: [{ id: 'gpt-small' }], budgets: { dailyCostUsd: 0.0002 } }));
    h.apps.put(appVersion('per-user', { models: [{ id: 'gpt-small' }], budgets: { perUserDailyCostUsd: 0.0001 } }));
  });
  after(() => h.close());

  async function spend(app: string, calls: number, userOf: (i: number) => string): Promise<number[]> {
    const client = new OpenAI({ apiKey: await h.key(app), baseURL: `${h.url}/v1`, maxRetries: 0 });
    const costs: number[] = [];
    for (let i = 0; i < calls; i++) {
      try {
        const { response } = await client.chat.completions
          .create({ model: 'gpt-small', user: userOf(i), max_tokens: 10, messages: [{ role: 'user', content: 'go' }] })
          .withResponse();
        costs.push(Number(response.headers.get('x-gatehouse-cost-usd')));
      } catch (err) {
        assert.equal((err as { status?: number }).status, 429, String(err));
      }
    }
    return costs;
  }

  it('an upstream that ignores max_tokens cannot run the app past its daily budget', async () => {
    h.upstream.ignoreMaxTokens = true;
    h.upstream.reply = 'word '.repeat(5000); // ~5,000 output tokens, about $0.02: 100x the budget per call
    const costs = await spend('spender', 10, () => 'u1');
    h.upstream.ignoreMaxTokens = false;
    const total = costs.reduce((a, b) => a + b, 0);
    assert.ok(costs.length >= 1, 'calls within the budget are served');
    assert.ok(total <= 0.0002 + 1e-12, `charged $${total} against a $0.0002 budget (${costs.join(', ')})`);
    assert.ok(costs.length < 10, 'the budget ran out');
  });

  it('naming a new user on every call does not multiply a per-user budget', async () => {
    h.upstream.reply = 'short answer';
    const costs = await spend('per-user', 20, (i) => `fresh-user-${i}`);
    const total = costs.reduce((a, b) => a + b, 0);
    assert.ok(costs.length < 20, `${costs.length} of 20 served`);
    assert.ok(total <= 0.0001 + 1e-12, `charged $${total} against a $0.0001 per-user budget`);
  });

  it("a restart (fresh counters) rebuilds today's app spend from the cost ledger", async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const db = new SqliteDb(join(mkdtempSync(join(tmpdir(), 'gh-budget-')), 'g.db'));
    await migrate(db, gatewayMigrations);
    const ledger = new CostLedger(db, silentLogger);
    const row = { app: 'a', appVersion: 1, user: 'u', model: 'm', tokensIn: 1, tokensOut: 1, outcome: 'ok' };
    ledger.add({ ...row, time: clock.now() - 3_600_000, costNanos: 900 });
    ledger.add({ ...row, time: clock.now() - 86_400_000, costNanos: 5_000 }); // yesterday: does not count
    await ledger.flush();
    const restarted = new Budgets(new MemoryCoordination(clock), clock);
    await restarted.restore(ledger);
    const limits = { appDailyNanos: 1_000 };
    await restarted.reserve({ app: 'a', user: 'u' }, limits, 100, 0);
    await assert.rejects(restarted.reserve({ app: 'a', user: 'u' }, limits, 1, 0), /daily budget/);
    await db.close();
  });
});
