// Fifty concurrent calls against a small daily budget never spend more than it: in-process coordination, and
// two gateway replicas sharing Redis. Refusals are 429s naming the budget, with Retry-After.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

const REDIS_URL = TEST_REDIS_URL;
const redisNeeds = await suiteNeeds(REDIS);
const BUDGET_USD = 0.002;

async function setup(h: Harness): Promise<OpenAI> {
  h.apps.put(appVersion('spender', { models: [{ id: 'gpt-small' }], budgets: { dailyCostUsd: BUDGET_USD } }));
  // Every answer uses all of max_tokens, so real cost equals the reserved worst case: the tightest case.
  h.upstream.reply = 'lorem ipsum dolor sit amet '.repeat(100);
  return new OpenAI({ apiKey: await h.key('spender'), baseURL: `${h.url}/v1`, maxRetries: 0 });
}

async function fire(clients: OpenAI[], n: number) {
  const calls = Array.from({ length: n }, (_, i) =>
    clients[i % clients.length].chat.completions
      .create({ model: 'gpt-small', max_tokens: 60, messages: [{ role: 'user', content: `call ${i}` }] })
      .withResponse()
      .then(({ response }) => ({ ok: true as const, cost: Number(response.headers.get('x-gatehouse-cost-usd')) }))
      .catch((e: InstanceType<typeof OpenAI.APIError>) => ({
        ok: false as const,
        status: e.status,
        message: e.message,
        retryAfter: e.headers?.get('retry-after'),
        budget: (e.error as { gatehouse?: { budget?: string } } | undefined)?.gatehouse?.budget,
      })),
  );
  return Promise.all(calls);
}

function check(results: Awaited<ReturnType<typeof fire>>, ledgerTotalUsd: number): void {
  const ok = results.filter((r) => r.ok);
  const refused = results.filter((r) => !r.ok);
  const spent = ok.reduce((s, r) => s + (r.ok ? r.cost : 0), 0);
  assert.ok(ok.length >= 1, 'some calls fit the budget');
  assert.ok(refused.length >= 1, 'some calls were refused');
  assert.ok(spent <= BUDGET_USD + 1e-12, `spent ${spent} > budget ${BUDGET_USD}`);
  assert.ok(ledgerTotalUsd <= BUDGET_USD + 1e-12, `ledger ${ledgerTotalUsd} > budget ${BUDGET_USD}`);
  assert.ok(Math.abs(ledgerTotalUsd - spent) < 1e-9, 'the cost rows add up to what callers were told');
  for (const r of refused) {
    assert.ok(!r.ok);
    assert.equal(r.status, 429);
    assert.equal(r.budget, 'app_daily_cost');
    assert.match(r.message, /App 'spender' daily budget of \$0\.002 (is spent|has \$[\d.]+ left)/);
    assert.ok(Number(r.retryAfter) >= 1);
  }
}

describe('budgets under concurrency', () => {
  it('in-process: 50 concurrent calls never overspend', async () => {
    const h = await startHarness({ coord: new MemoryCoordination() });
    try {
      const client = await setup(h);
      const results = await fire([client], 50);
      const costs = await h.gateway.ledger.query({ app: 'spender' });
      check(results, costs.total.costUsd);
      assert.equal(h.audit.filter((e) => e.data.outcome === 'limited').length, results.filter((r) => !r.ok).length);
    } finally {
      await h.close();
    }
  });

  it('two replicas sharing Redis: 50 concurrent calls never overspend', redisNeeds, async () => {
    const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
    const a = await startHarness({ coord: new RedisCoordination({ url: REDIS_URL, prefix }) });
    const b = await startHarness({ coord: new RedisCoordination({ url: REDIS_URL, prefix }) });
    try {
      const clients = [await setup(a), await setup(b)];
      const results = await fire(clients, 50);
      const total = (await a.gateway.ledger.query({})).total.costUsd + (await b.gateway.ledger.query({})).total.costUsd;
      check(results, total);
      assert.ok(a.upstream.requests.length > 0 && b.upstream.requests.length > 0, 'both replicas served calls');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
