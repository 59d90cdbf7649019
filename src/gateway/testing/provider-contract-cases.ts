// The provider contract suite's cases: per adapter, a recording fake of its wire format, the model document and
// credentials, and what the fake must have received (URL, auth headers, translated body) for the suite's calls.
import assert from 'node:assert/strict';
import type { ModelDoc } from '../../catalog/catalog-schema.js';
import { AzureOpenAiFake } from './azure-openai-fake.js';
import { modelDoc } from './gateway-harness.js';
import { GoogleFake } from './google-fake.js';
import { RecordingProvider, type Recorded, type ScriptedToolCall } from './recording-provider.js';

export type Obj = Record<string, unknown>;

interface Fake {
  received: Recorded[];
  close(): Promise<void>;
}

export interface ContractCase {
  title: string;
  wire: 'openai' | 'anthropic';
  start(): Promise<{ fake: Fake; doc: ModelDoc; key: string; badKey?: string; tool(c: ScriptedToolCall): void }>;
  paths: { chat: string; stream: string; embed?: string };
  auth(h: Recorded['headers'], key: string): void;
  /** The chat body the fake received for the system + user prompt below. */
  sentChat(body: Obj): void;
  sentTools(body: Obj): void;
  sentEmbed?(body: Obj): void;
  reply: string;
  usage: { inputTokens: number; outputTokens: number };
  /** An unauthenticated server: no credential to refuse. */
  noAuth?: true;
}

const KEY = 'sk-contract-secret-777';
const BAD = 'sk-wrong-secret-999';
export const CALL: ScriptedToolCall = { id: 'call_1', name: 'get_weather', input: { city: 'Paris' } };
const PARAMS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

export function chatBody(wire: 'openai' | 'anthropic', stream: boolean): Obj {
  return wire === 'openai'
    ? {
        model: 'up-model',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello there' },
        ],
        max_tokens: 50,
        temperature: 0.2,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
      }
    : {
        model: 'up-model',
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hello there' }],
        max_tokens: 50,
        temperature: 0.2,
        stream,
      };
}

export function toolBody(wire: 'openai' | 'anthropic'): Obj {
  return wire === 'openai'
    ? {
        ...chatBody(wire, false),
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: PARAMS } }],
        tool_choice: 'required',
      }
    : {
        ...chatBody(wire, false),
        tools: [{ name: 'get_weather', description: 'Weather', input_schema: PARAMS }],
        tool_choice: { type: 'any' },
      };
}

const openAiSent = (body: Obj, withModel = true) => {
  assert.deepEqual(body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hello there' },
  ]);
  assert.equal(body.max_tokens, 50);
  assert.equal('model' in body, withModel);
  if (withModel) assert.equal(body.model, 'up-model');
};
const openAiTools = (body: Obj) => {
  assert.deepEqual(body.tools, [
    { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: PARAMS } },
  ]);
  assert.equal(body.tool_choice, 'required');
};
const geminiSent = (body: Obj) => {
  assert.deepEqual(body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
  assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'hello there' }] }]);
  assert.deepEqual(body.generationConfig, { maxOutputTokens: 50, temperature: 0.2 });
  for (const k of ['model', 'messages', 'stream', 'stream_options', 'max_tokens']) assert.ok(!(k in body), k);
};
const geminiTools = (body: Obj) => {
  assert.deepEqual(body.tools, [
    { functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: PARAMS }] },
  ]);
  assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
};

function recorder(provider: 'openai' | 'openai-compatible' | 'anthropic', over: Partial<ModelDoc['spec']> = {}) {
  return async () => {
    const fake = await new RecordingProvider().start();
    const auth = over.openaiCompatible?.auth;
    fake.requireKey = auth === 'none' ? undefined : KEY;
    const base = provider === 'anthropic' ? fake.url : `${fake.url}/v1`;
    return {
      fake,
      doc: modelDoc('m-contract', provider, base, over),
      key: auth === 'none' ? '' : KEY,
      badKey: auth === 'none' ? undefined : BAD,
      tool: (c: ScriptedToolCall) => fake.script.push({ toolCalls: [c] }),
    };
  };
}

const bearer = (h: Recorded['headers'], key: string) => assert.equal(h.authorization, `Bearer ${key}`);

export const CONTRACT_CASES: ContractCase[] = [
  {
    title: 'openai',
    wire: 'openai',
    start: recorder('openai'),
    paths: { chat: '/v1/chat/completions', stream: '/v1/chat/completions', embed: '/v1/embeddings' },
    auth: bearer,
    sentChat: (b) => openAiSent(b),
    sentTools: openAiTools,
    sentEmbed: (b) => assert.deepEqual(b, { model: 'up-model', input: ['a', 'bb'] }),
    reply: 'Echo: hello there',
    usage: { inputTokens: 11, outputTokens: 7 },
  },
  {
    title: 'openai-compatible (bearer)',
    wire: 'openai',
    start: recorder('openai-compatible', { openaiCompatible: { auth: 'bearer' } }),
    paths: { chat: '/v1/chat/completions', stream: '/v1/chat/completions', embed: '/v1/embeddings' },
    auth: bearer,
    sentChat: (b) => openAiSent(b),
    sentTools: openAiTools,
    sentEmbed: (b) => assert.deepEqual(b, { model: 'up-model', input: ['a', 'bb'] }),
    reply: 'Echo: hello there',
    usage: { inputTokens: 11, outputTokens: 7 },
  },
  {
    title: 'openai-compatible (no auth, a local vLLM or Ollama)',
    wire: 'openai',
    start: recorder('openai-compatible', { openaiCompatible: { auth: 'none' } }),
    paths: { chat: '/v1/chat/completions', stream: '/v1/chat/completions', embed: '/v1/embeddings' },
    auth: (h) => assert.equal(h.authorization, undefined),
    sentChat: (b) => openAiSent(b),
    sentTools: openAiTools,
    sentEmbed: (b) => assert.deepEqual(b, { model: 'up-model', input: ['a', 'bb'] }),
    noAuth: true,
    reply: 'Echo: hello there',
    usage: { inputTokens: 11, outputTokens: 7 },
  },
  {
    title: 'anthropic',
    wire: 'anthropic',
    start: recorder('anthropic'),
    paths: { chat: '/v1/messages', stream: '/v1/messages' },
    auth: (h, key) => {
      assert.equal(h['x-api-key'], key);
      assert.equal(h['anthropic-version'], '2023-06-01');
      assert.equal(h.authorization, undefined);
    },
    sentChat: (b) => {
      assert.equal(b.system, 'Be brief.');
      assert.deepEqual(b.messages, [{ role: 'user', content: 'hello there' }]);
      assert.equal(b.model, 'up-model');
    },
    sentTools: (b) => {
      assert.deepEqual(b.tools, [{ name: 'get_weather', description: 'Weather', input_schema: PARAMS }]);
      assert.deepEqual(b.tool_choice, { type: 'any' });
    },
    reply: 'Echo: hello there',
    usage: { inputTokens: 11, outputTokens: 7 },
  },
  ...(['api-key', 'entra-token', 'entra'] as const).map((auth): ContractCase => ({
    title: `azure-openai (${auth})`,
    wire: 'openai',
    start: async () => {
      const client = { tenant: 'contoso', clientId: 'app-1', secret: KEY };
      const fake = await new AzureOpenAiFake(auth === 'api-key' ? KEY : 'other', {
        ...(auth === 'entra-token' ? { entraToken: KEY } : {}),
        client,
      }).start();
      return {
        fake,
        doc: modelDoc('m-contract', 'azure-openai', fake.url, {
          upstreamModel: 'gpt-4o-prod',
          azure: { apiVersion: '2024-10-21', auth },
        }),
        key: auth === 'entra' ? fake.clientCredentials() : KEY,
        badKey: auth === 'entra' ? fake.clientCredentials(BAD) : BAD,
        tool: (c: ScriptedToolCall) => fake.toolCalls.push(c),
      };
    },
    paths: {
      chat: '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
      stream: '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
      embed: '/openai/deployments/gpt-4o-prod/embeddings?api-version=2024-10-21',
    },
    auth: (h, key) => {
      if (auth === 'api-key') {
        assert.equal(h['api-key'], key);
        assert.equal(h.authorization, undefined);
      } else {
        assert.equal(h['api-key'], undefined);
        if (auth === 'entra-token') assert.equal(h.authorization, `Bearer ${key}`);
        else assert.match(String(h.authorization), /^Bearer eyJ0eXAi\.entra-\d+$/);
      }
    },
    sentChat: (b) => openAiSent(b, false),
    sentTools: openAiTools,
    sentEmbed: (b) => assert.deepEqual(b, { input: ['a', 'bb'] }),
    reply: 'Azure: hello there',
    usage: { inputTokens: 13, outputTokens: 5 },
  })),
  {
    title: 'gemini',
    wire: 'openai',
    start: async () => {
      const fake = await new GoogleFake(KEY).start();
      return {
        fake,
        doc: modelDoc('m-contract', 'gemini', `${fake.url}/v1beta`, { upstreamModel: 'gemini-2.0-flash' }),
        key: KEY,
        badKey: BAD,
        tool: (c: ScriptedToolCall) => fake.toolCalls.push(c),
      };
    },
    paths: {
      chat: '/v1beta/models/gemini-2.0-flash:generateContent',
      stream: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
      embed: '/v1beta/models/gemini-2.0-flash:batchEmbedContents',
    },
    auth: (h, key) => {
      assert.equal(h['x-goog-api-key'], key);
      assert.equal(h.authorization, undefined);
    },
    sentChat: geminiSent,
    sentTools: geminiTools,
    sentEmbed: (b) =>
      assert.deepEqual(b, {
        requests: [
          { model: 'models/gemini-2.0-flash', content: { parts: [{ text: 'a' }] } },
          { model: 'models/gemini-2.0-flash', content: { parts: [{ text: 'bb' }] } },
        ],
      }),
    reply: 'Gemini: hello there',
    usage: { inputTokens: 17, outputTokens: 6 },
  },
  {
    title: 'vertex',
    wire: 'openai',
    start: async () => {
      const fake = await new GoogleFake('unused').start();
      return {
        fake,
        doc: modelDoc('m-contract', 'vertex', `${fake.url}/v1`, {
          upstreamModel: 'gemini-2.0-flash',
          vertex: { project: 'acme-prod', location: 'europe-west4' },
        }),
        key: fake.serviceAccount(),
        badKey: fake.serviceAccount({ foreignKey: true }),
        tool: (c: ScriptedToolCall) => fake.toolCalls.push(c),
      };
    },
    paths: {
      chat: '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent',
      stream:
        '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
      embed: '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.0-flash:predict',
    },
    auth: (h) => assert.match(String(h.authorization), /^Bearer ya29\.fake-\d+$/),
    sentChat: geminiSent,
    sentTools: geminiTools,
    sentEmbed: (b) => assert.deepEqual(b, { instances: [{ content: 'a' }, { content: 'bb' }] }),
    reply: 'Gemini: hello there',
    usage: { inputTokens: 17, outputTokens: 6 },
  },
];
