// Faithful errors through the official SDKs: an upstream 400 comes back as a 400 in the caller's protocol with the
// provider's message (no retries), a 429 as a 429 with the provider's Retry-After (the SDK honours it), a 5xx after
// the gateway's retries as a 502 the SDK does not retry, a hung provider as a 504 at gateway.deadlineMs; every
// refusal carries x-gatehouse-decision-id. Retry counts are read off the provider and the gateway's call records.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { appVersion } from '../../src/gateway/testing/gateway-harness.js';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers; error?: Record<string, unknown> };

describe('errors and deadlines through the SDKs', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat({ retries: 2, breakerFailures: 1000, deadlineMs: 400, upstreamTimeoutMs: 250 });
  });
  after(() => c.close());
  beforeEach(() => {
    c.provider.reset();
    c.h.audit.length = 0;
  });
  /** Gateway calls recorded since the test began (one per SDK attempt). */
  const calls = () => c.h.audit.filter((e) => e.type === 'model.invocation').length;

  it('upstream 400: same status, the provider message in the OpenAI shape, no retry by gateway or SDK', async () => {
    c.provider.script = [{ status: 400, message: "Invalid value for 'seed'" }];
    const err = await failure(
      c
        .openai({ maxRetries: 2 })
        .chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'x' }], seed: -1 }),
    );
    assert.equal(err.status, 400);
    assert.match(err.message, /provider refused the request \(400\): Invalid value for 'seed'/);
    assert.equal(err.error?.type, 'invalid_request_error');
    assert.equal(err.error?.param, 'scripted', "the provider's own param comes through");
    assert.equal(err.headers?.get('x-should-retry'), 'false');
    assert.match(err.headers?.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.equal(c.provider.received.length, 1);
    assert.equal(calls(), 1, 'the SDK did not retry');
  });

  it('upstream 400 from an OpenAI provider to the Anthropic SDK: the Anthropic error shape, no retry', async () => {
    c.provider.script = [{ status: 400, message: 'messages: bad turn order' }];
    const err = await failure(
      c
        .anthropic({ maxRetries: 2 })
        .messages.create({ model: GPT, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.equal(err.status, 400);
    assert.equal((err.error as { type?: string; error?: { type?: string } })?.error?.type, 'invalid_request_error');
    assert.match(err.message, /bad turn order/);
    assert.equal(calls(), 1);
  });

  it('upstream 429: 429 with the provider Retry-After, not retried by the gateway; the SDK waits and retries', async () => {
    c.provider.script = [{ status: 429, message: 'slow down', headers: { 'retry-after': '1' } }];
    const err = await failure(
      c
        .anthropic({ maxRetries: 0 })
        .messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.equal(err.status, 429);
    assert.equal(err.headers?.get('retry-after'), '1');
    assert.match(err.headers?.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.equal(c.provider.received.length, 1, 'the gateway did not retry a 429');

    c.provider.script = [{ status: 429, message: 'slow down', headers: { 'retry-after': '1' } }];
    const ok = await c
      .openai({ maxRetries: 1 })
      .chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'again' }] });
    assert.equal(ok.choices[0].message.content, 'Echo: again');
    assert.equal(c.provider.received.length, 3);
    assert.equal(calls(), 3, 'one refused call above, then the SDK call and its one retry');
  });

  it('upstream 500 after the gateway retries: 502 with x-should-retry false, so the SDK does not retry', async () => {
    c.provider.script = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const err = await failure(
      c.openai({ maxRetries: 2 }).chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.equal(err.status, 502);
    assert.equal(err.headers?.get('x-should-retry'), 'false');
    assert.equal(c.provider.received.length, 3, 'first try and two gateway retries');
    assert.equal(calls(), 1, 'the SDK did not add its own retries');
  });

  it('a hung provider: 504 at gateway.deadlineMs covering the retries, not retried by the SDK', async () => {
    c.provider.script = [{ hangMs: 2000 }, { hangMs: 2000 }, { hangMs: 2000 }];
    const err = await failure(
      c
        .anthropic({ maxRetries: 2 })
        .messages.create({ model: CLAUDE, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    );
    assert.equal(err.status, 504);
    assert.match(err.message, /gateway deadline of 400 ms/);
    assert.equal(err.headers?.get('x-should-retry'), 'false');
    assert.ok(c.provider.received.length <= 2, 'the deadline stopped the retries');
    assert.equal(calls(), 1);
  });

  it('a budget refusal (429) carries the decision id', async () => {
    c.h.apps.put(appVersion('tiny', { models: [{ id: GPT }], budgets: { requestsPerMinute: 1 } }));
    const key = await c.h.key('tiny');
    const post = () =>
      fetch(`${c.h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: GPT, messages: [{ role: 'user', content: 'x' }] }),
      });
    assert.equal((await post()).status, 200);
    const second = await post();
    assert.equal(second.status, 429);
    assert.match(second.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
  });
});

/** The error a call must end with. */
async function failure(p: Promise<unknown>): Promise<ApiErr> {
  try {
    await p;
  } catch (e) {
    return e as ApiErr;
  }
  return assert.fail('expected the call to fail');
}
