// The fake upstream's tool-call and embeddings answers (used by the gateway bench), and that plain chat is unchanged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from './fake-upstream.js';

const KEY = 'sk-fake-test';
const TOOLS = [
  { type: 'function', function: { name: 'lookup_plan', parameters: { type: 'object' } } },
  { type: 'function', function: { name: 'open_ticket', parameters: { type: 'object' } } },
];
const MESSAGES = [{ role: 'user', content: 'price of basic?' }];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('FakeUpstream tool calls and embeddings', () => {
  let up: FakeUpstream;
  before(async () => {
    up = await new FakeUpstream({ apiKey: KEY, chunkSize: 5 }).start();
  });
  after(() => up.close());

  const post = (path: string, body: unknown, key = KEY) =>
    fetch(`${up.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a request offering tools with a tool_calls message naming the first tool', async () => {
    const res = await post('/v1/chat/completions', { model: 'm', messages: MESSAGES, tools: TOOLS });
    assert.equal(res.status, 200);
    const j = (await res.json()) as Json;
    const choice = j.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls.length, 1);
    const call = choice.message.tool_calls[0];
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'lookup_plan');
    assert.deepEqual(JSON.parse(call.function.arguments), { query: 'price of basic?' });
    assert.ok(j.usage.completion_tokens > 0 && j.usage.prompt_tokens > 0);
  });

  it('calls the tool tool_choice names, and answers text for tool_choice none or no tools', async () => {
    up.toolArguments = (_u, tool) => ({ tool, n: 2 });
    const named = (await (
      await post('/v1/chat/completions', {
        model: 'm',
        messages: MESSAGES,
        tools: TOOLS,
        tool_choice: { type: 'function', function: { name: 'open_ticket' } },
      })
    ).json()) as Json;
    assert.equal(named.choices[0].message.tool_calls[0].function.name, 'open_ticket');
    assert.equal(named.choices[0].message.tool_calls[0].function.arguments, '{"tool":"open_ticket","n":2}');
    const none = (await (
      await post('/v1/chat/completions', { model: 'm', messages: MESSAGES, tools: TOOLS, tool_choice: 'none' })
    ).json()) as Json;
    assert.equal(none.choices[0].message.content, 'Echo: price of basic?');
    assert.equal(none.choices[0].message.tool_calls, undefined);
    const plain = (await (await post('/v1/chat/completions', { model: 'm', messages: MESSAGES })).json()) as Json;
    assert.equal(plain.choices[0].message.content, 'Echo: price of basic?');
    assert.equal(plain.choices[0].finish_reason, 'stop');
  });

  it('streams a tool call: id and name first, the arguments in pieces, finish tool_calls, usage, [DONE]', async () => {
    up.toolArguments = (u) => ({ query: u });
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages: MESSAGES,
      tools: TOOLS,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const frames = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((f) => f.replace(/^data: /, ''));
    assert.equal(frames.at(-1), '[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f) as Json);
    const first = chunks[0].choices[0].delta.tool_calls[0];
    assert.equal(first.id, 'call_fake_0');
    assert.equal(first.function.name, 'lookup_plan');
    const args = chunks
      .flatMap((c) => c.choices.map((ch: Json) => ch.delta.tool_calls?.[0]?.function?.arguments ?? ''))
      .join('');
    assert.deepEqual(JSON.parse(args), { query: 'price of basic?' });
    assert.ok(chunks.filter((c) => c.choices[0]?.delta.tool_calls).length > 3, 'arguments arrive in several deltas');
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'tool_calls');
    assert.ok(chunks.at(-1)!.usage.completion_tokens > 0);
  });

  it('answers /v1/embeddings with one deterministic vector per input, floats or base64, sized by dimensions', async () => {
    const res = await post('/v1/embeddings', { model: 'e', input: ['alpha', 'beta', 'alpha'] });
    assert.equal(res.status, 200);
    const j = (await res.json()) as Json;
    assert.equal(j.object, 'list');
    assert.equal(j.model, 'e');
    assert.deepEqual(
      j.data.map((d: Json) => d.index),
      [0, 1, 2],
    );
    assert.equal(j.data[0].embedding.length, 8);
    assert.deepEqual(j.data[0].embedding, j.data[2].embedding, 'the same text gets the same vector');
    assert.notDeepEqual(j.data[0].embedding, j.data[1].embedding);
    assert.ok(j.usage.prompt_tokens >= 3);
    const one = (await (await post('/v1/embeddings', { model: 'e', input: 'alpha', dimensions: 4 })).json()) as Json;
    assert.equal(one.data.length, 1);
    assert.equal(one.data[0].embedding.length, 4);
    const b64 = (await (
      await post('/v1/embeddings', { model: 'e', input: 'alpha', dimensions: 4, encoding_format: 'base64' })
    ).json()) as Json;
    const buf = Buffer.from(b64.data[0].embedding as string, 'base64');
    const floats = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    assert.equal(floats.length, 4);
    floats.forEach((x, i) => assert.ok(Math.abs(x - one.data[0].embedding[i]) < 1e-6));
    assert.equal((await post('/v1/embeddings', { model: 'e', input: 'x' }, 'sk-wrong')).status, 401);
    assert.equal(up.requests.filter((r) => r.path === '/v1/embeddings').length, 4);
  });
});
