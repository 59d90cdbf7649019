// A key's limits hold on every surface, not only chat completions: embeddings, Anthropic messages, model listing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; error?: { error?: { gatehouse?: Record<string, unknown> } } };

describe('key limits on every surface', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat();
  });
  after(() => c.close());
  const make = (limits: Record<string, unknown>, ttl?: string) =>
    c.h.gateway.credentials.keys.create({ kind: 'app', app: 'compat', limits, ttl }, 'alice');

  it('embeddings refuse a model outside the key list, with nothing sent', async () => {
    const k = await make({ models: [CLAUDE] });
    c.provider.reset();
    const client = new OpenAI({ apiKey: k.key, baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      client.embeddings.create({ model: GPT, input: 'x' }),
      (e: ApiErr) => e.status === 403 && new RegExp(`Model '${GPT}' is not allowed for key ${k.id}`).test(e.message),
    );
    assert.equal(c.provider.received.length, 0);
  });

  it('Anthropic messages go through the key budget: a call that may cost more than it is refused with 429', async () => {
    const k = await make({ dailyUsd: 0.00001 });
    const client = new Anthropic({ apiKey: k.key, baseURL: c.h.url, maxRetries: 0 });
    await assert.rejects(
      client.messages.create({ model: CLAUDE, max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] }),
      (e: ApiErr) => e.status === 429 && /Key .* daily budget/.test(e.message),
    );
  });

  it('models and count_tokens show only the models the key may call', async () => {
    const k = await make({ models: [CLAUDE] });
    const client = new OpenAI({ apiKey: k.key, baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    const ids = (await client.models.list()).data.map((m) => m.id);
    assert.deepEqual(ids, [CLAUDE]);
    await assert.rejects(client.models.retrieve(GPT), (e: ApiErr) => e.status === 404);
  });

  it('the Responses API sees the caller address: a key limited to loopback is served there', async () => {
    const k = await make({ cidrs: ['127.0.0.0/8', '::1/128'] });
    const client = new OpenAI({ apiKey: k.key, baseURL: `${c.h.url}/v1`, maxRetries: 0 });
    const r = await client.responses.create({ model: GPT, input: 'hello' });
    assert.equal(r.status, 'completed');
  });

  it('an expired key cannot even list models', async () => {
    const k = await make({}, '1s');
    await new Promise((r) => setTimeout(r, 1100));
    const r = await fetch(`${c.h.url}/v1/models`, { headers: { authorization: `Bearer ${k.key}` } });
    assert.equal(r.status, 401);
    assert.match(await r.text(), /expired at/);
  });
});
