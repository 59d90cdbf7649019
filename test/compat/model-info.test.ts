// Model information through the official SDKs: models.list / models.retrieve (OpenAI and Anthropic shapes),
// a model the app does not declare is a 404, and messages.countTokens answers from the gateway without a provider call.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number };

describe('model information through the SDKs', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat();
  });
  after(() => c.close());

  it('openai: models.list and models.retrieve show declared models only', async () => {
    const client = c.openai();
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), [CLAUDE, GPT]);
    const m = await client.models.retrieve(GPT);
    assert.equal(m.id, GPT);
    assert.equal(m.owned_by, 'openai');
    await assert.rejects(client.models.retrieve('gpt-cheap'), (e: ApiErr) => e.status === 404);
  });

  it('anthropic: models.retrieve in the Anthropic shape; countTokens counts locally', async () => {
    const client = c.anthropic();
    const m = await client.models.retrieve(CLAUDE);
    assert.equal(m.id, CLAUDE);
    assert.equal(m.type, 'model');
    c.provider.reset();
    const short = await client.messages.countTokens({ model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] });
    const long = await client.messages.countTokens({
      model: CLAUDE,
      system: 'you are a careful assistant who answers in full sentences',
      messages: [{ role: 'user', content: 'hi there, how many tokens is this question?' }],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
    });
    assert.ok(short.input_tokens > 0);
    assert.ok(long.input_tokens > short.input_tokens + 10, `${long.input_tokens} vs ${short.input_tokens}`);
    assert.equal(c.provider.received.length, 0, 'no provider call');
    await assert.rejects(
      client.messages.countTokens({ model: 'gpt-cheap', messages: [{ role: 'user', content: 'x' }] }),
      (e: ApiErr) => e.status === 404,
    );
  });
});
