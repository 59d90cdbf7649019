// The official openai SDK through Gatehouse to a Bedrock-catalog model (a fake Bedrock that verifies SigV4): chat
// JSON and stream, a tool call, embeddings refused, and the AWS credential rotated with `model key set` at run time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { appVersion, modelDoc, startHarness, type Harness } from '../../src/gateway/testing/gateway-harness.js';
import { BedrockFake } from '../../src/gateway/testing/bedrock-fake.js';

const CREDS = { accessKeyId: 'AKIACOMPATBEDROCK', secretAccessKey: 'compat/secret/key/000000000000000000000' };
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('compat: openai SDK → Gatehouse → AWS Bedrock (Converse)', () => {
  let h: Harness;
  let fake: BedrockFake;
  let client: OpenAI;
  before(async () => {
    fake = await new BedrockFake(CREDS, 'eu-central-1').start();
    h = await startHarness();
    h.catalog.put(
      modelDoc('claude-br', 'bedrock', fake.url, {
        upstreamModel: MODEL,
        bedrock: { region: 'eu-central-1', credentials: 'key' },
      }),
    );
    h.apps.put(appVersion('br-app', { models: [{ id: 'claude-br', tools: ['get_weather'] }] }));
    await h.gateway.modelKeys.set('claude-br', JSON.stringify(CREDS), 'admin');
    client = new OpenAI({ apiKey: await h.key('br-app'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await h.close();
    await fake.close();
  });

  it('chat JSON and stream', async () => {
    const r = await client.chat.completions.create({
      model: 'claude-br',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello bedrock' },
      ],
      max_tokens: 40,
    });
    assert.equal(r.choices[0]?.message.content, 'Bedrock: hello bedrock');
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.deepEqual([r.usage?.prompt_tokens, r.usage?.completion_tokens], [19, 4]);
    assert.equal(fake.received.at(-1)?.path, `/model/${encodeURIComponent(MODEL)}/converse`);
    const s = await client.chat.completions.create({
      model: 'claude-br',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of s) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    assert.equal(text, 'Bedrock: stream please');
    assert.equal(finish, 'stop');
    assert.equal(usage?.completion_tokens, 4);
  });

  it('the Anthropic SDK reaches the same Bedrock model (Messages translated to Converse)', async () => {
    const anthropic = new Anthropic({ apiKey: await h.key('br-app'), baseURL: h.url, maxRetries: 0 });
    const r = await anthropic.messages.create({
      model: 'claude-br',
      max_tokens: 30,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hi from anthropic' }],
    });
    assert.deepEqual(r.content, [{ type: 'text', text: 'Bedrock: hi from anthropic' }]);
    assert.equal(r.stop_reason, 'end_turn');
    assert.deepEqual(fake.received.at(-1)?.body.system, [{ text: 'Be brief.' }]);
  });

  it('a tool call comes back as OpenAI tool_calls', async () => {
    fake.toolCalls.push({ id: 'tooluse_abc', name: 'get_weather', input: { city: 'Berlin' } });
    const r = await client.chat.completions.create({
      model: 'claude-br',
      messages: [{ role: 'user', content: 'weather in Berlin?' }],
      tools: [weather],
      tool_choice: 'required',
    });
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.equal(call?.id, 'tooluse_abc');
    assert.equal(call?.type === 'function' ? call.function.name : '', 'get_weather');
    assert.deepEqual(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}'), { city: 'Berlin' });
  });

  it('embeddings on a Bedrock model are a clear 400', async () => {
    await assert.rejects(
      client.embeddings.create({ model: 'claude-br', input: 'x' }),
      (e: Error & { status?: number }) => e.status === 400 && /cannot embed/.test(e.message),
    );
  });

  it('a wrong secret set at run time is a 502 naming the model; the right one works again without a restart', async () => {
    await h.gateway.modelKeys.set('claude-br', JSON.stringify({ ...CREDS, secretAccessKey: 'rotated-wrong' }), 'admin');
    const rejected = fake.rejected;
    await assert.rejects(
      client.chat.completions.create({ model: 'claude-br', messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => {
        assert.equal(e.status, 502);
        assert.match(e.message, /claude-br/);
        assert.doesNotMatch(e.message, /rotated-wrong|compat\/secret/);
        return true;
      },
    );
    assert.equal(fake.rejected, rejected + 1, 'the fake refused the signature');
    await h.gateway.modelKeys.set('claude-br', JSON.stringify(CREDS), 'admin');
    const r = await client.chat.completions.create({
      model: 'claude-br',
      messages: [{ role: 'user', content: 'again' }],
    });
    assert.equal(r.choices[0]?.message.content, 'Bedrock: again');
  });
});
