// The official openai SDK through Gatehouse to a Google Gemini model and an Azure OpenAI model (each on its recording
// fake): chat JSON, stream, a tool call, an embedding, a field Gemini cannot take refused before anything is sent, and
// a wrong provider key answered as a clear 502 naming the model.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { appVersion, modelDoc, startHarness, type Harness } from '../../src/gateway/testing/gateway-harness.js';
import { AzureOpenAiFake } from '../../src/gateway/testing/azure-openai-fake.js';
import { GoogleFake } from '../../src/gateway/testing/google-fake.js';

type ApiErr = Error & { status?: number };
const GEMINI_KEY = 'AIza-compat-gemini-key';
const AZURE_KEY = 'azure-compat-resource-key';
const TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('openai SDK → Gatehouse → Gemini and Azure OpenAI', () => {
  let h: Harness;
  let google: GoogleFake;
  let azure: AzureOpenAiFake;
  let sdk: OpenAI;
  before(async () => {
    google = await new GoogleFake(GEMINI_KEY).start();
    azure = await new AzureOpenAiFake(AZURE_KEY).start();
    h = await startHarness({
      env: {
        GATEHOUSE_MODEL_KEY_GEMINI_FLASH: GEMINI_KEY,
        GATEHOUSE_MODEL_KEY_AZURE_GPT: AZURE_KEY,
        GATEHOUSE_MODEL_KEY_GEMINI_BADKEY: 'AIza-revoked',
      },
    });
    const gemini = { upstreamModel: 'gemini-2.0-flash', modalities: ['text', 'image'] as Array<'text' | 'image'> };
    h.catalog.put(modelDoc('gemini-flash', 'gemini', `${google.url}/v1beta`, gemini));
    h.catalog.put(modelDoc('gemini-badkey', 'gemini', `${google.url}/v1beta`, gemini));
    h.catalog.put(
      modelDoc('azure-gpt', 'azure-openai', azure.url, {
        upstreamModel: 'gpt-4o-prod',
        azure: { apiVersion: '2024-10-21', auth: 'api-key' },
      }),
    );
    const tools = ['get_weather'];
    h.apps.put(
      appVersion('multi', {
        models: [
          { id: 'gemini-flash', tools },
          { id: 'gemini-badkey', tools },
          { id: 'azure-gpt', tools },
        ],
      }),
    );
    sdk = new OpenAI({ apiKey: await h.key('multi'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await h.close();
    await google.close();
    await azure.close();
  });

  it('Gemini: chat JSON, translated to generateContent with the key server-side', async () => {
    const r = await sdk.chat.completions.create({
      model: 'gemini-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi gemini' },
      ],
      max_tokens: 40,
    });
    assert.equal(r.choices[0]?.message.content, 'Gemini: hi gemini');
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    assert.equal(r.usage?.prompt_tokens, 17);
    assert.equal(r.usage?.completion_tokens, 6);
    const sent = google.last;
    assert.equal(sent.path, '/v1beta/models/gemini-2.0-flash:generateContent');
    assert.equal(sent.headers['x-goog-api-key'], GEMINI_KEY);
    assert.deepEqual(sent.body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    assert.equal((sent.body.generationConfig as { maxOutputTokens: number }).maxOutputTokens, 40);
  });

  it('Gemini: a stream reaches the SDK as chunks with usage', async () => {
    const stream = await sdk.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'stream this please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const ch of stream) {
      text += ch.choices[0]?.delta.content ?? '';
      usage = ch.usage ?? usage;
    }
    assert.equal(text, 'Gemini: stream this please');
    assert.equal(usage?.completion_tokens, 6);
    assert.match(google.last.path, /:streamGenerateContent\?alt=sse$/);
  });

  it('Gemini: a tool call comes back as an OpenAI tool call, and its result goes back as a functionResponse', async () => {
    google.toolCalls.push({ id: 'x', name: 'get_weather', input: { city: 'Oslo' } });
    const r = await sdk.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'weather in Oslo?' }],
      tools: [TOOL],
    });
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Oslo' });
    await sdk.chat.completions.create({
      model: 'gemini-flash',
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"tempC":3}' },
      ],
      tools: [TOOL],
    });
    const contents = google.last.body.contents as Array<{ role: string; parts: unknown[] }>;
    assert.deepEqual(contents[1], {
      role: 'model',
      parts: [{ functionCall: { id: call.id, name: 'get_weather', args: { city: 'Oslo' } } }],
    });
    assert.deepEqual(contents[2], {
      role: 'user',
      parts: [{ functionResponse: { id: call.id, name: 'get_weather', response: { tempC: 3 } } }],
    });
  });

  it('Gemini: embeddings through batchEmbedContents, decoded by the SDK from base64', async () => {
    const r = await sdk.embeddings.create({ model: 'gemini-flash', input: ['abc', 'de'] });
    assert.deepEqual(
      r.data.map((d) => d.embedding),
      [
        [0.75, 0, 3],
        [0.75, 1, 2],
      ],
    );
    assert.match(google.last.path, /:batchEmbedContents$/);
  });

  it('Gemini: a field it cannot take is refused with a 400 naming it, before any provider call', async () => {
    const n = google.received.length;
    await assert.rejects(
      sdk.chat.completions.create({
        model: 'gemini-flash',
        messages: [{ role: 'user', content: 'x' }],
        logit_bias: { '50256': -100 },
      }),
      (e: ApiErr) => e.status === 400 && /logit_bias/.test(e.message) && /Gemini/.test(e.message),
    );
    assert.equal(google.received.length, n);
  });

  it('Gemini: a wrong provider key is a 502 naming the model, without the key', async () => {
    await assert.rejects(
      sdk.chat.completions.create({ model: 'gemini-badkey', messages: [{ role: 'user', content: 'x' }] }),
      (e: ApiErr) =>
        e.status === 502 &&
        /Model 'gemini-badkey': Google Gemini refused the provider credential/.test(e.message) &&
        !e.message.includes('AIza-revoked'),
    );
  });

  it('Gemini from the Anthropic SDK: Messages are translated through the OpenAI wire to generateContent', async () => {
    const claude = new Anthropic({ apiKey: sdk.apiKey, baseURL: h.url, maxRetries: 0 });
    const r = await claude.messages.create({
      model: 'gemini-flash',
      max_tokens: 30,
      system: 'Terse.',
      messages: [{ role: 'user', content: 'hi from anthropic' }],
    });
    assert.deepEqual(r.content, [{ type: 'text', text: 'Gemini: hi from anthropic' }]);
    assert.equal(r.stop_reason, 'end_turn');
    assert.equal(r.usage.output_tokens, 6);
    assert.deepEqual(google.last.body.systemInstruction, { parts: [{ text: 'Terse.' }] });
    await assert.rejects(
      claude.messages.create({
        model: 'gemini-flash',
        max_tokens: 30,
        messages: [{ role: 'user', content: 'x' }],
        thinking: { type: 'enabled', budget_tokens: 1024 },
      }),
      (e: ApiErr) => e.status === 400 && /thinking/.test(e.message),
    );
  });

  it('Azure OpenAI: chat, stream, tool call and embeddings at the deployment URL with api-key', async () => {
    const r = await sdk.chat.completions.create({ model: 'azure-gpt', messages: [{ role: 'user', content: 'hi az' }] });
    assert.equal(r.choices[0]?.message.content, 'Azure: hi az');
    assert.equal(azure.last.path, '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    assert.equal(azure.last.headers['api-key'], AZURE_KEY);
    assert.equal(azure.last.headers.authorization, undefined);
    assert.equal(azure.last.body.model, undefined);
    const stream = await sdk.chat.completions.create({
      model: 'azure-gpt',
      messages: [{ role: 'user', content: 'stream az' }],
      stream: true,
    });
    let text = '';
    for await (const ch of stream) text += ch.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Azure: stream az');
    azure.toolCalls.push({ id: 'call_az', name: 'get_weather', input: { city: 'Rome' } });
    const t = await sdk.chat.completions.create({
      model: 'azure-gpt',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [TOOL],
    });
    const call = t.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.deepEqual([call.id, call.function.name], ['call_az', 'get_weather']);
    const e = await sdk.embeddings.create({ model: 'azure-gpt', input: 'abcd' });
    assert.deepEqual(e.data[0]?.embedding, [0.25, 0, 4]);
    assert.equal(azure.last.path, '/openai/deployments/gpt-4o-prod/embeddings?api-version=2024-10-21');
  });
});
