// 100 concurrent calls on one key with a small daily budget never spend more than it: one gateway on SQLite with
// in-process coordination, and two gateway replicas sharing PostgreSQL (keys, cost rows) and Redis (counters).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { POSTGRES, REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

const redisNeeds = await suiteNeeds(REDIS);
const needs = redisNeeds.skip ? redisNeeds : await suiteNeeds(POSTGRES);
const BUDGET_USD = 0.002;
const CALLS = 100;

function prepare(h: Harness): void {
  // No app budget: only the key's own budget holds the line. Every answer uses all of max_tokens (tightest case).
  h.apps.put(appVersion('spender', { models: [{ id: 'gpt-small' }] }));
  h.upstream.reply = 'lorem ipsum dolor sit amet '.repeat(100);
}

async function fire(urls: string[], key: string) {
  return Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const r = await fetch(`${urls[i % urls.length]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-small',
          max_tokens: 60,
          messages: [{ role: 'user', content: `call ${i}` }],
        }),
      });
      const body = (await r.json()) as { error?: { message: string; gatehouse?: { budget?: string } } };
      return {
        status: r.status,
        cost: Number(r.headers.get('x-gatehouse-cost-usd') ?? 0),
        budget: body.error?.gatehouse?.budget,
        message: body.error?.message ?? '',
        retryAfter: Number(r.headers.get('retry-after')),
      };
    }),
  );
}

function check(results: Awaited<ReturnType<typeof fire>>, ledgerUsd: number, keyId: string): void {
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status !== 200);
  const spent = ok.reduce((s, r) => s + r.cost, 0);
  assert.ok(ok.length >= 1 && refused.length >= 1, `${ok.length} served, ${refused.length} refused`);
  assert.ok(spent <= BUDGET_USD + 1e-12, `spent ${spent} > budget ${BUDGET_USD}`);
  assert.ok(ledgerUsd <= BUDGET_USD + 1e-12, `ledger ${ledgerUsd} > budget ${BUDGET_USD}`);
  assert.ok(Math.abs(ledgerUsd - spent) < 1e-9, `cost rows ${ledgerUsd} = what callers were told ${spent}`);
  // The budget is used up, not refused early: what is left is less than one more call.
  assert.ok(BUDGET_USD - spent < ok[0].cost + 1e-12, `left ${BUDGET_USD - spent} unspent`);
  for (const r of refused) {
    assert.equal(r.status, 429, r.message);
    assert.equal(r.budget, 'key_daily_cost');
    assert.match(r.message, new RegExp(`Key ${keyId} daily budget of \\$0\\.002 (is spent|has \\$[0-9.]+ left)`));
    assert.ok(r.retryAfter >= 1);
  }
}

describe('key budgets under concurrency', () => {
  it(`SQLite, one gateway: ${CALLS} concurrent calls on a key never overspend`, async () => {
    const h = await startHarness({ coord: new MemoryCoordination() });
    try {
      prepare(h);
      const k = await h.gateway.credentials.createKey('spender', undefined, 'alice', {
        limits: { dailyUsd: BUDGET_USD },
      });
      const results = await fire([h.url], k.key);
      const ledger = await h.gateway.ledger.query({ key: k.id });
      check(results, ledger.total.costUsd, k.id);
    } finally {
      await h.close();
    }
  });

  it(
    `two replicas sharing PostgreSQL and Redis: ${CALLS} concurrent calls on a key never overspend`,
    needs,
    async () => {
      const pgDb = testDatabases.find((d) => d.name === 'postgres');
      assert.ok(pgDb, 'PostgreSQL is configured for this run');
      const store = await pgDb.open(gatewayMigrations);
      const second = await store.connectAgain();
      const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
      const a = await startHarness({ db: store.db, coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }) });
      const b = await startHarness({ db: second, coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }) });
      try {
        prepare(a);
        prepare(b);
        // Created on one replica, used on both: the key lives in the shared store.
        const k = await a.gateway.credentials.createKey('spender', undefined, 'alice', {
          limits: { dailyUsd: BUDGET_USD },
        });
        const results = await fire([a.url, b.url], k.key);
        await a.gateway.flush();
        await b.gateway.flush();
        const ledger = await a.gateway.ledger.query({ key: k.id });
        check(results, ledger.total.costUsd, k.id);
        assert.ok(a.upstream.requests.length > 0 && b.upstream.requests.length > 0, 'both replicas served calls');
      } finally {
        await a.close();
        await b.close();
        await second.close();
        await store.cleanup();
      }
    },
  );
});
