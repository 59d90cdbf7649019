// Each call's telemetry event carries the app's cost today and its daily budget (as the budget counter sees them),
// so the cost_over_budget_pct alert condition can compare the two.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

describe('daily budget figures in call telemetry', () => {
  let h: Harness;
  let client: OpenAI;
  before(async () => {
    h = await startHarness({ config: { retries: 0 } });
    h.apps.put(appVersion('spender', { models: [{ id: 'gpt-small' }], budgets: { dailyCostUsd: 1 } }));
    h.apps.put(appVersion('free', { models: [{ id: 'gpt-small' }] }));
    client = new OpenAI({ apiKey: await h.key('spender'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());
  beforeEach(() => {
    h.telemetry.length = 0;
    h.governor.obligations = {};
  });

  const calls = (app: string) => h.telemetry.filter((e) => e.kind === 'model.invocation' && e.app === app);
  const ask = (c = client, stream = false) =>
    stream
      ? c.chat.completions
          .create({ model: 'gpt-small', stream: true, messages: [{ role: 'user', content: 'tell me more' }] })
          .then(async (s) => {
            for await (const chunk of s) void chunk;
          })
      : c.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'tell me more' }] });

  it('reports the running day total and the budget, streamed or not', async () => {
    await ask();
    await ask(client, true);
    await ask();
    const evs = calls('spender');
    assert.equal(evs.length, 3);
    let total = 0;
    for (const e of evs) {
      total += e.metrics!.costUsd;
      assert.equal(e.metrics!.appDailyBudgetUsd, 1);
      assert.ok(Math.abs(e.metrics!.appDailyCostUsd - total) < 1e-9, `${e.metrics!.appDailyCostUsd} vs ${total}`);
    }
    assert.ok(total > 0);
  });

  it("uses a policy's lower dailyCostUsd as the budget", async () => {
    h.governor.obligations = { dailyCostUsd: 0.5 };
    await ask();
    assert.equal(calls('spender').at(-1)!.metrics!.appDailyBudgetUsd, 0.5);
  });

  it('reports nothing for an app without a daily budget', async () => {
    const free = new OpenAI({ apiKey: await h.key('free'), baseURL: `${h.url}/v1`, maxRetries: 0 });
    await ask(free);
    const m = calls('free').at(-1)!.metrics!;
    assert.equal(m.appDailyBudgetUsd, undefined);
    assert.equal(m.appDailyCostUsd, undefined);
  });
});
