// POST /v1/embeddings through the official openai SDK: governed like chat (declared model, DLP on every input
// before the provider sees it, usage-based cost, a call record), refused for undeclared or Anthropic models.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number };
const SSN = '536-22-8814';

describe('embeddings through the openai SDK', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat();
  });
  after(() => c.close());
  beforeEach(() => c.provider.reset());

  it('embeds a batch; the provider sees masked inputs; the SDK decodes the vectors; the call is recorded', async () => {
    const { data: res, response } = await c
      .openai()
      .embeddings.create({ model: GPT, input: ['hello', `my SSN is ${SSN}`] })
      .withResponse();
    assert.equal(res.data.length, 2);
    assert.deepEqual(res.data[1].embedding, [0.5, 1, 'my SSN is [US_SSN]'.length]);
    assert.equal(res.model, GPT);
    assert.equal(res.usage.prompt_tokens, 5);
    const sent = c.provider.last;
    assert.equal(sent.path, '/v1/embeddings');
    assert.deepEqual(sent.body.input, ['hello', 'my SSN is [US_SSN]']);
    assert.equal(sent.body.model, 'gpt-4o-mini');
    assert.equal(sent.body.encoding_format, 'base64', 'the SDK default is forwarded');
    assert.match(response.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    const entry = c.h.audit.at(-1)!;
    assert.equal(entry.data.outcome, 'ok');
    assert.equal(entry.data.tokensIn, 5);
    assert.deepEqual(entry.data.dlp, { prompt: { US_SSN: 1 }, output: {} });
    assert.equal(c.h.governor.inputs.at(-1)?.request?.embeddings, true);
  });

  it('refuses an Anthropic model, an undeclared model and token-array input, with nothing sent', async () => {
    const client = c.openai();
    await assert.rejects(
      client.embeddings.create({ model: CLAUDE, input: 'x' }),
      (e: ApiErr) => e.status === 400 && /anthropic\) serves no embeddings/.test(e.message),
    );
    await assert.rejects(
      client.embeddings.create({ model: 'gpt-cheap', input: 'x' }),
      (e: ApiErr) => e.status === 403 && /not declared/.test(e.message),
    );
    await assert.rejects(
      client.embeddings.create({ model: GPT, input: [1, 2, 3] }),
      (e: ApiErr) => e.status === 400 && /token arrays/.test(e.message),
    );
    assert.equal(c.provider.received.length, 0);
  });
});
