// The official `@anthropic-ai/sdk` through Gatehouse to an Anthropic provider (same protocol: cache_control,
// thinking, top_k pass unchanged) and an OpenAI provider (translated): chat, streaming with usage, tools (single,
// parallel, streamed), tool results, images. Each case checks what the provider received and what the SDK returned.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

type ApiErr = Error & { status?: number };

describe('@anthropic-ai/sdk through Gatehouse', () => {
  let c: Compat;
  let client: Anthropic;
  before(async () => {
    c = await startCompat();
    client = c.anthropic();
  });
  after(() => c.close());
  beforeEach(() => c.provider.reset());

  it('same protocol: cache_control, thinking, top_k and an unknown field reach the provider unchanged', async () => {
    const system = [{ type: 'text' as const, text: 'long context', cache_control: { type: 'ephemeral' as const } }];
    const res = await client.messages.create({
      model: CLAUDE,
      max_tokens: 2000,
      system,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }] }],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      // Fields this SDK version's types do not list (top_k) or nobody knows, forwarded on the same-protocol path.
      ...extra({ top_k: 5, future_field: { x: 1 } }),
    });
    assert.deepEqual(res.content, [{ type: 'text', text: 'Echo: hello' }]);
    assert.equal(res.usage.input_tokens, 11);
    const b = c.provider.last.body;
    assert.equal(c.provider.last.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(b.system, system);
    assert.deepEqual(b.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }] },
    ]);
    assert.deepEqual(b.thinking, { type: 'enabled', budget_tokens: 1024 });
    assert.equal(b.top_k, 5);
    assert.deepEqual(b.future_field, { x: 1 });
    assert.equal(b.model, 'claude-3-5-haiku');
  });

  it('translated: an unknown field is refused naming it; top_k is refused with why', async () => {
    await assert.rejects(
      client.messages.create({
        model: GPT,
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        ...extra({ future_field: 1 }),
      }),
      (e: ApiErr) => e.status === 400 && /'future_field'/.test(e.message) && /cannot be translated/.test(e.message),
    );
    await assert.rejects(
      client.messages.create({
        model: GPT,
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        ...extra({ top_k: 3 }),
      }),
      (e: ApiErr) => e.status === 400 && /'top_k'/.test(e.message) && /no equivalent/.test(e.message),
    );
    assert.equal(c.provider.received.length, 0, 'nothing reached the provider');
  });

  for (const model of [CLAUDE, GPT]) {
    it(`${model}: streams text with usage`, async () => {
      c.provider.script = [{ text: 'streamed words arrive here' }];
      const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'go' }] });
      const final = await stream.finalMessage();
      assert.deepEqual(
        final.content,
        [{ type: 'text', text: 'streamed words arrive here', citations: null }].map(stripNull),
      );
      assert.equal(final.usage.output_tokens, 7);
      assert.equal(final.stop_reason, 'end_turn');
    });

    it(`${model}: tool use comes back whole, JSON and streamed; tool_result goes up on the next turn`, async () => {
      const call = { id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } };
      c.provider.script = [{ toolCalls: [call] }];
      const res = await client.messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'weather in Oslo?' }],
        tools: [weather],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      });
      assert.equal(res.stop_reason, 'tool_use');
      assert.deepEqual(res.content, [{ type: 'tool_use', ...call }]);
      const sent = c.provider.last.body;
      if (model === CLAUDE) assert.deepEqual(sent.tool_choice, { type: 'any', disable_parallel_tool_use: true });
      else {
        assert.equal(sent.tool_choice, 'required');
        assert.equal(sent.parallel_tool_calls, false);
        assert.deepEqual(sent.tools, [
          {
            type: 'function',
            function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.input_schema },
          },
        ]);
      }

      c.provider.script = [
        { text: 'checking', toolCalls: [call, { id: 'toolu_2', name: 'search_news', input: { q: 'x' } }] },
      ];
      const final = await client.messages
        .stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'both' }], tools: [weather] })
        .finalMessage();
      assert.deepEqual(
        final.content.map((b) => (b.type === 'tool_use' ? [b.name, b.input] : b.type === 'text' ? b.text : b.type)),
        ['checking', ['get_weather', { city: 'Oslo' }], ['search_news', { q: 'x' }]],
      );

      c.provider.script = [{ text: 'Cold.' }];
      await client.messages.create({
        model,
        max_tokens: 100,
        tools: [weather],
        messages: [
          { role: 'user', content: 'weather in Oslo?' },
          { role: 'assistant', content: [{ type: 'tool_use', ...call }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '-3C' }] },
        ],
      });
      const up = c.provider.last.body.messages as Array<Record<string, unknown>>;
      if (model === GPT) {
        assert.deepEqual(up[1], {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        });
        assert.deepEqual(up[2], { role: 'tool', tool_call_id: 'toolu_1', content: '-3C' });
      } else assert.deepEqual(up[2].content, [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '-3C' }]);
    });
  }

  it('translated: a base64 image block becomes an OpenAI data URL part', async () => {
    await client.messages.create({
      model: GPT,
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'what is it?' },
          ],
        },
      ],
    });
    assert.deepEqual((c.provider.last.body.messages as Array<{ content: unknown }>)[0].content, [
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'text', text: 'what is it?' },
    ]);
  });
});

/** The SDK's accumulated text block may carry `citations: null` or not, depending on its version. */
function stripNull<T extends Record<string, unknown>>(b: T): Partial<T> {
  return Object.fromEntries(Object.entries(b).filter(([, v]) => v !== null)) as Partial<T>;
}

/** Fields outside the SDK's request type, sent as they are. */
function extra(fields: Record<string, unknown>): object {
  return fields;
}
