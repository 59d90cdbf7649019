// No silent drops: every documented request field of OpenAI Chat Completions and Anthropic Messages, sent through
// the official SDKs. Same protocol: the provider receives it unchanged (governed fields aside). Across protocols:
// the provider receives the documented translation, or the client gets a 400 naming the field and nothing is sent.
// The field lists and expected translations here are written out independently of src/gateway/wire-fields.ts.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type Obj = Record<string, unknown>;
type ApiErr = Error & { status?: number };
const fn = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };

/** OpenAI field → sample value, and what an Anthropic provider must receive (`refuse` = a 400 naming it). */
const OPENAI: Record<string, [unknown, Obj | 'refuse']> = {
  frequency_penalty: [0.1, 'refuse'],
  presence_penalty: [0.2, 'refuse'],
  logit_bias: [{ '50256': -100 }, 'refuse'],
  top_logprobs: [2, 'refuse'],
  metadata: [{ k: 'v' }, 'refuse'],
  modalities: [['text'], 'refuse'],
  prediction: [{ type: 'content', content: 'x' }, 'refuse'],
  prompt_cache_key: ['k1', 'refuse'],
  reasoning_effort: ['low', 'refuse'],
  seed: [1, 'refuse'],
  service_tier: ['auto', 'refuse'],
  store: [false, 'refuse'],
  verbosity: ['low', 'refuse'],
  web_search_options: [{}, 'refuse'],
  n: [1, {}],
  stop: [['END'], { stop_sequences: ['END'] }],
  top_p: [0.5, { top_p: 0.5 }],
  user: ['u-1', { metadata: { user_id: 'u-1' } }],
  safety_identifier: ['s-1', { metadata: { user_id: 's-1' } }],
  tools: [[fn], { tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] }],
  tool_choice: ['none', { tool_choice: { type: 'none' } }],
  parallel_tool_calls: [false, { tool_choice: { type: 'auto', disable_parallel_tool_use: true } }],
  response_format: [{ type: 'json_object' }, { tool_choice: { type: 'tool', name: 'gatehouse_json_answer' } }],
  some_future_field: [{ x: 1 }, 'refuse'],
};

/** Anthropic field → sample value, and what an OpenAI provider must receive. */
const ANTHROPIC: Record<string, [unknown, Obj | 'refuse']> = {
  top_k: [5, 'refuse'],
  thinking: [{ type: 'enabled', budget_tokens: 1024 }, 'refuse'],
  container: ['c1', 'refuse'],
  service_tier: ['auto', 'refuse'],
  context_management: [{ edits: [] }, 'refuse'],
  system: [
    'be brief',
    {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    },
  ],
  top_p: [0.5, { top_p: 0.5 }],
  stop_sequences: [['END'], { stop: ['END'] }],
  metadata: [{ user_id: 'u-1' }, { user: 'u-1' }],
  tools: [
    [{ name: 'get_weather', input_schema: { type: 'object' } }],
    { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] },
  ],
  tool_choice: [{ type: 'auto' }, { tool_choice: 'auto' }],
  some_future_field: [{ x: 1 }, 'refuse'],
};

/** Sub-object equality: every key of `want` is in `got` with the same value. */
function assertHas(got: Obj, want: Obj, field: string): void {
  for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${field} → ${k}`);
}

describe('every documented request field is forwarded, translated or refused by name', () => {
  let c: Compat;
  let openai: OpenAI;
  let anthropic: Anthropic;
  before(async () => {
    c = await startCompat();
    openai = c.openai();
    anthropic = c.anthropic();
  });
  after(() => c.close());
  beforeEach(() => c.provider.reset());

  const chat = (model: string, extra: Obj) =>
    openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });
  const messages = (model: string, extra: Obj) =>
    anthropic.messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], ...extra });

  const cases = [
    { api: 'openai', fields: OPENAI, send: chat, same: GPT, other: CLAUDE, names: ['OpenAI', 'Anthropic'] },
    { api: 'anthropic', fields: ANTHROPIC, send: messages, same: CLAUDE, other: GPT, names: ['Anthropic', 'OpenAI'] },
  ] as const;
  for (const k of cases)
    for (const [field, [value, cross]] of Object.entries(k.fields)) {
      const how = cross === 'refuse' ? 'refused by name' : 'translated';
      it(`${k.api} ${field}: forwarded to ${k.names[0]}, ${how} for ${k.names[1]}`, async () => {
        await k.send(k.same, { [field]: value });
        assert.deepEqual(c.provider.last.body[field], value, `${field} reached the ${k.names[0]} provider unchanged`);
        c.provider.reset();
        if (cross === 'refuse') {
          await assert.rejects(
            k.send(k.other, { [field]: value }),
            (e: ApiErr) => e.status === 400 && e.message.includes(`'${field}'`),
          );
          assert.equal(c.provider.received.length, 0);
        } else {
          await k.send(k.other, { [field]: value });
          assertHas(c.provider.last.body, cross, field);
          if (k.api === 'openai')
            assert.ok(!(field in c.provider.last.body) || field in cross, `${field} is not sent under its own name`);
        }
      });
    }

  it('governed fields: the gateway sets model, max tokens, temperature and stream on both paths', async () => {
    await chat(CLAUDE, { max_completion_tokens: 33, temperature: 0.4, stream: false });
    assertHas(
      c.provider.last.body,
      { model: 'claude-3-5-haiku', max_tokens: 33, temperature: 0.4, stream: false },
      'gov',
    );
    await messages(GPT, { max_tokens: 44, temperature: 0.6 });
    assertHas(c.provider.last.body, { model: 'gpt-4o-mini', max_tokens: 44, temperature: 0.6, stream: false }, 'gov');
  });

  it('refused on every path, by name: legacy functions (past tool governance), audio (past output DLP), mcp_servers (past egress)', async () => {
    for (const model of [GPT, CLAUDE]) {
      await assert.rejects(
        chat(model, { functions: [{ name: 'rm', parameters: {} }] }),
        (e: ApiErr) => e.status === 400 && /'functions'.*send tools instead/.test(e.message),
      );
      await assert.rejects(
        chat(model, { audio: { voice: 'alloy', format: 'wav' }, modalities: ['text', 'audio'] }),
        (e: ApiErr) => e.status === 400 && /'audio'.*output DLP/.test(e.message),
      );
      await assert.rejects(
        messages(model, { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'm' }] }),
        (e: ApiErr) => e.status === 400 && /'mcp_servers'.*egress/.test(e.message),
      );
    }
    assert.equal(c.provider.received.length, 0);
  });

  it('logprobs: refused while output DLP is on (they carry the raw tokens), forwarded when a policy allows output', async () => {
    await assert.rejects(
      chat(GPT, { logprobs: true }),
      (e: ApiErr) => e.status === 400 && /'logprobs'.*output DLP/.test(e.message),
    );
    c.h.governor.obligations = { outputDlp: 'allow' };
    try {
      c.provider.script = [{ extra: { system_fingerprint: 'fp_1' } }];
      const res = await chat(GPT, { logprobs: true });
      assert.equal(c.provider.last.body.logprobs, true);
      assert.equal(res.system_fingerprint, 'fp_1');
    } finally {
      c.h.governor.obligations = {};
    }
  });

  it('translated temperature above 1 is refused for an Anthropic model, never sent', async () => {
    await assert.rejects(
      chat(CLAUDE, { temperature: 1.8 }),
      (e: ApiErr) => e.status === 400 && /temperature 1.8 is out of range.*Anthropic accepts 0 to 1/.test(e.message),
    );
    assert.equal(c.provider.received.length, 0);
  });
});
