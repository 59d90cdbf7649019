// Budget answers that help (issue 13 item 6), through the official SDK: a call whose worst case passes what a budget
// has left is served with max_tokens lowered to fit (header x-gatehouse-max-tokens-lowered) when the caller named
// none, else refused with what is left, when it resets and the largest max_tokens that fits; sessions never reset.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { appVersion } from '../../src/gateway/testing/gateway-harness.js';
import { GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers; error?: { gatehouse?: Record<string, unknown> } };
const user = (content: string) => [{ role: 'user' as const, content }];

describe('budget answers that help', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat({ retries: 0 });
    // gpt: $1 in / $4 out per MTok, so $0.0004 pays for a short prompt and ~98 output tokens.
    c.h.apps.put(appVersion('thrifty', { models: [{ id: GPT }], budgets: { dailyCostUsd: 0.0004 } }));
  });
  after(() => c.close());
  beforeEach(() => {
    c.provider.reset();
    c.h.governor.obligations = {};
  });

  it('lowers max_tokens to what the budget has left when the caller named none, and says so', async () => {
    const client = new OpenAI({ apiKey: await c.h.key('thrifty'), baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    const { response, data } = await client.chat.completions
      .create({ model: GPT, messages: user('hello') })
      .withResponse();
    const header = response.headers.get('x-gatehouse-max-tokens-lowered') ?? '';
    const m = /^4096->(\d+); by=app_daily_cost$/.exec(header);
    assert.ok(m, `header: ${header}`);
    const to = Number(m[1]);
    assert.ok(to > 50 && to < 100, `lowered to ${to}`);
    assert.equal(c.provider.last.body.max_tokens, to, 'the provider got the lowered cap');
    assert.equal(data.choices[0].message.content, 'Echo: hello');

    // Named explicitly, the cap is the caller's: refused, saying what is left, when it resets and what fits now.
    const err = (await client.chat.completions.create({ model: GPT, max_tokens: 1000, messages: user('hello') }).then(
      () => assert.fail('served past the budget'),
      (e: ApiErr) => e,
    )) as ApiErr;
    assert.equal(err.status, 429);
    assert.match(err.message, /daily budget of \$0\.0004 has \$0\.000361 left \(\$0\.000039 spent or reserved\)/);
    assert.match(err.message, /less than this call's worst case of \$0\.004\d*/);
    assert.doesNotMatch(err.message, /exhausted/);
    const midnight = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000).toISOString().slice(0, 16);
    assert.ok(err.message.includes(`resets at ${midnight}Z`), err.message);
    const fits = err.error?.gatehouse?.maxTokensThatFit as number;
    assert.ok(fits > 50 && fits < to, `fits ${fits}`);
    assert.match(err.message, new RegExp(`lower max_tokens to ${fits} or less`));
    const toMidnight = (Date.parse(`${midnight}:00Z`) - Date.now()) / 1000;
    assert.ok(Math.abs(Number(err.headers?.get('retry-after')) - toMidnight) < 5, 'Retry-After is the reset');
    assert.equal(c.provider.received.length, 1, 'the refused call reached no provider');

    // The largest max_tokens it named fits.
    await client.chat.completions.create({ model: GPT, max_tokens: fits, messages: user('hello') });
  });

  it('the per-call cost cap (maxCostUsd) lowers max_tokens the same way and says so', async () => {
    c.h.governor.obligations = { maxCostUsd: 0.0001 };
    const { response } = await c
      .openai()
      .chat.completions.create({ model: GPT, messages: user('hi there') })
      .withResponse();
    const header = response.headers.get('x-gatehouse-max-tokens-lowered') ?? '';
    assert.match(header, /^4096->\d+; by=maxCostUsd$/);
    assert.equal(c.provider.last.body.max_tokens, Number(/->(\d+)/.exec(header)![1]));
  });

  it('a session budget says it does not reset and sends no Retry-After', async () => {
    c.h.governor.obligations = { perSessionCostUsd: 0.000001 };
    const s = await c.h.gateway.credentials.createSession('thrifty', 'ann', '15m');
    const client = new OpenAI({ apiKey: s.token, baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    const err = (await client.chat.completions.create({ model: GPT, messages: user('hello') }).then(
      () => assert.fail('served past the session budget'),
      (e: ApiErr) => e,
    )) as ApiErr;
    assert.equal(err.status, 429);
    assert.match(err.message, /Session '.+' budget of \$0\.000001 has \$0\.000001 left/);
    assert.match(err.message, /does not reset: start a new session/);
    assert.match(err.message, /not even the prompt fits/);
    assert.equal(err.headers?.get('retry-after'), null);
    assert.equal(err.headers?.get('x-should-retry'), 'false');
  });
});
