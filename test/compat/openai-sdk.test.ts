// The official `openai` SDK through Gatehouse to an OpenAI provider (same protocol) and an Anthropic provider
// (translated): chat, streaming with usage, tools (single, parallel, streamed), tool results, JSON mode and parse()
// with a zod schema, images. Each case checks what the provider received and what the SDK returned.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { zodResponseFormat } from 'openai/helpers/zod';
import type OpenAI from 'openai';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

type ApiErr = Error & { status?: number };

describe('openai SDK through Gatehouse', () => {
  let c: Compat;
  let client: OpenAI;
  before(async () => {
    c = await startCompat();
    client = c.openai();
  });
  after(() => c.close());
  beforeEach(() => {
    c.provider.reset();
    c.h.governor.obligations = {};
  });

  it('same protocol: a chat completion reaches the provider unchanged apart from the governed fields', async () => {
    const res = await client.chat.completions.create({
      model: GPT,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      temperature: 0.3,
      seed: 7,
      frequency_penalty: 0.5,
    });
    assert.equal(res.choices[0].message.content, 'Echo: hello');
    assert.equal(res.usage?.prompt_tokens, 11);
    const got = c.provider.last;
    assert.equal(got.path, '/v1/chat/completions');
    assert.equal(got.body.model, 'gpt-4o-mini');
    assert.deepEqual(got.body.messages, [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello' },
    ]);
    assert.equal(got.body.seed, 7);
    assert.equal(got.body.frequency_penalty, 0.5);
    assert.equal(got.body.temperature, 0.3);
    assert.equal(got.body.max_tokens, 4096, 'the gateway sets the governed output cap');
  });

  it('same protocol: streams text with usage', async () => {
    c.provider.script = [{ text: 'a streamed answer of some length' }];
    const stream = await client.chat.completions.create({
      model: GPT,
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const ch of stream) {
      text += ch.choices[0]?.delta?.content ?? '';
      if (ch.usage) usage = ch.usage;
    }
    assert.equal(text, 'a streamed answer of some length');
    assert.equal(usage?.completion_tokens, 7);
    assert.deepEqual(c.provider.last.body.stream_options, { include_usage: true });
  });

  for (const model of [GPT, CLAUDE]) {
    it(`${model}: a tool call comes back whole, JSON and streamed; the tool result goes up on the next turn`, async () => {
      const call = { id: 'call_1', name: 'get_weather', input: { city: 'Paris' } };
      c.provider.script = [{ toolCalls: [call] }];
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'weather in Paris?' }],
        tools: [weatherTool],
        tool_choice: 'auto',
      });
      const tc = res.choices[0].message.tool_calls?.[0];
      assert.equal(res.choices[0].finish_reason, 'tool_calls');
      assert.equal(tc?.type === 'function' && tc.function.name, 'get_weather');
      assert.deepEqual(tc?.type === 'function' && JSON.parse(tc.function.arguments), { city: 'Paris' });
      const sent = c.provider.last.body;
      if (model === GPT) {
        assert.deepEqual(sent.tools, [weatherTool]);
        assert.equal(sent.tool_choice, 'auto');
      } else {
        assert.deepEqual(sent.tools, [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            input_schema: weatherTool.function.parameters,
          },
        ]);
        assert.deepEqual(sent.tool_choice, { type: 'auto' });
      }

      c.provider.script = [{ toolCalls: [call, { id: 'call_2', name: 'search_web', input: { q: 'rain' } }] }];
      const stream = client.chat.completions.stream({
        model,
        messages: [{ role: 'user', content: 'weather and news' }],
        tools: [weatherTool, { ...weatherTool, function: { ...weatherTool.function, name: 'search_web' } }],
        parallel_tool_calls: true,
      });
      const final = await stream.finalChatCompletion();
      const calls = final.choices[0].message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((x) => x.type === 'function' && [x.function.name, JSON.parse(x.function.arguments)]),
        [
          ['get_weather', { city: 'Paris' }],
          ['search_web', { q: 'rain' }],
        ],
      );

      c.provider.script = [{ text: 'It is sunny.' }];
      const next = await client.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: 'weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [toolCallOf(call)] },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        ],
        tools: [weatherTool],
      });
      assert.equal(next.choices[0].message.content, 'It is sunny.');
      const up = c.provider.last.body.messages as Array<Record<string, unknown>>;
      if (model === GPT) assert.deepEqual(up[2], { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' });
      else {
        assert.deepEqual(up[1].content, [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        ]);
        assert.deepEqual(up[2], {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"temp":21}' }],
        });
      }
    });

    it(`${model}: parse() with a zod schema gets a typed answer`, async () => {
      c.provider.script =
        model === GPT
          ? [{ text: '{"name":"Ada","age":36}' }]
          : [{ toolCalls: [{ id: 't', name: 'gatehouse_json_answer', input: { name: 'Ada', age: 36 } }] }];
      const Person = z.object({ name: z.string(), age: z.number() });
      const res = await client.chat.completions.parse({
        model,
        messages: [{ role: 'user', content: 'who?' }],
        response_format: zodResponseFormat(Person, 'person'),
      });
      assert.deepEqual(res.choices[0].message.parsed, { name: 'Ada', age: 36 });
      const sent = c.provider.last.body;
      if (model === GPT) assert.equal((sent.response_format as { type: string }).type, 'json_schema');
      else {
        assert.deepEqual(sent.tool_choice, { type: 'tool', name: 'gatehouse_json_answer' });
        assert.equal((sent.tools as Array<{ name: string }>)[0].name, 'gatehouse_json_answer');
      }
    });
  }

  it('images reach a model whose catalog entry lists image, and are refused for a text-only model', async () => {
    const content: OpenAI.ChatCompletionContentPart[] = [
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ];
    await client.chat.completions.create({ model: GPT, messages: [{ role: 'user', content }] });
    assert.deepEqual((c.provider.last.body.messages as Array<{ content: unknown }>)[0].content, content);
    await assert.rejects(
      client.chat.completions.create({ model: CLAUDE, messages: [{ role: 'user', content }] }),
      (e: ApiErr) => e.status === 400 && /takes text only/.test(e.message),
    );
  });

  it('translated: system, stop, top_p and user map to their Anthropic names', async () => {
    await client.chat.completions.create({
      model: CLAUDE,
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      stop: ['END'],
      top_p: 0.9,
      user: 'u-1',
      max_completion_tokens: 50,
    });
    const b = c.provider.last.body;
    assert.equal(c.provider.last.path, '/v1/messages');
    assert.equal(b.system, 'be brief');
    assert.deepEqual(b.stop_sequences, ['END']);
    assert.equal(b.top_p, 0.9);
    assert.deepEqual(b.metadata, { user_id: 'u-1' });
    assert.equal(b.max_tokens, 50);
    assert.equal(b.model, 'claude-3-5-haiku');
  });
});

function toolCallOf(c: { id: string; name: string; input: unknown }): OpenAI.ChatCompletionMessageToolCall {
  return { id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } };
}
