// The Responses API through the official `openai` SDK (`client.responses.create`, JSON and stream): translated to
// Chat Completions for an OpenAI model and on to Anthropic Messages for a Claude one; each case asserts what the
// provider received and what the SDK returned. Also the legacy /v1/completions 400 naming its replacement.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers; error?: Record<string, unknown> };
type Msg = { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string };

describe('Responses API through the openai SDK', () => {
  let c: Compat;
  before(async () => {
    c = await startCompat({ retries: 0 });
  });
  after(() => c.close());
  beforeEach(() => c.provider.reset());

  it('text input with instructions: chat completions upstream, a Response with output_text and usage', async () => {
    const { data, response } = await c
      .openai()
      .responses.create({ model: GPT, instructions: 'Be brief.', input: 'hello there', max_output_tokens: 50 })
      .withResponse();
    const got = c.provider.last;
    assert.equal(got.path, '/v1/chat/completions');
    assert.deepEqual(got.body.messages, [
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: 'hello there' },
    ]);
    assert.equal(got.body.max_tokens, 50);
    assert.equal(got.body.model, 'gpt-4o-mini');
    assert.equal(data.object, 'response');
    assert.equal(data.status, 'completed');
    assert.equal(data.output_text, 'Echo: hello there');
    assert.deepEqual([data.usage?.input_tokens, data.usage?.output_tokens, data.usage?.total_tokens], [11, 7, 18]);
    assert.match(data.id, /^resp_dec_/);
    assert.match(response.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
  });

  it('message-array input with a function tool: the model calls it; the call and its output go back as chat turns', async () => {
    c.provider.script = [{ toolCalls: [{ id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }] }];
    const tool = {
      type: 'function' as const,
      name: 'get_weather',
      description: 'Weather by city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      strict: true,
    };
    const first = await c.openai().responses.create({
      model: GPT,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Oslo?' }] }],
      tools: [tool],
      tool_choice: 'auto',
    });
    assert.deepEqual(c.provider.last.body.tools, [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: tool.parameters, description: 'Weather by city', strict: true },
      },
    ]);
    assert.equal(c.provider.last.body.tool_choice, 'auto');
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.deepEqual(
      [call.name, call.call_id, JSON.parse(call.arguments)],
      ['get_weather', 'call_1', { city: 'Oslo' }],
    );

    await c.openai().responses.create({
      model: GPT,
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":3}' },
      ],
      tools: [tool],
    });
    const sent = c.provider.last.body.messages as Msg[];
    assert.deepEqual(
      sent.map((m) => m.role),
      ['user', 'assistant', 'tool'],
    );
    assert.equal(sent[2].tool_call_id, 'call_1');
    assert.equal(sent[2].content, '{"temp":3}');
  });

  it('streams the Responses events in order, with the text and the usage in response.completed', async () => {
    const stream = await c.openai().responses.create({ model: GPT, input: 'stream me please', stream: true });
    const types: string[] = [];
    let text = '';
    let completed: { usage?: { output_tokens: number } | null; output_text?: string } | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    assert.equal(c.provider.last.body.stream, true);
    assert.equal(text, 'Echo: stream me please');
    assert.deepEqual(types.slice(0, 4), [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    assert.deepEqual(types.slice(-4), [
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.equal(completed?.usage?.output_tokens, 7);
  });

  it('reaches an Anthropic model through the same translation (instructions become the system prompt)', async () => {
    const r = await c.openai().responses.create({ model: CLAUDE, instructions: 'Be brief.', input: 'hi claude' });
    assert.equal(c.provider.last.path, '/v1/messages');
    assert.equal(c.provider.last.body.system, 'Be brief.');
    assert.equal(r.output_text, 'Echo: hi claude');
  });

  it('refuses a field it cannot serve with a 400 naming it and a decision id', async () => {
    const err = (await c
      .openai()
      .responses.create({ model: GPT, input: 'x', previous_response_id: 'resp_1' })
      .then(
        () => assert.fail('served'),
        (e: ApiErr) => e,
      )) as ApiErr;
    assert.equal(err.status, 400);
    assert.match(err.message, /'previous_response_id' cannot be served/);
    assert.equal(err.error?.param, 'previous_response_id');
    assert.match(err.headers?.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.equal(c.provider.received.length, 0);
  });

  it('legacy /v1/completions: a 400 naming /v1/chat/completions and /v1/responses, with a decision id', async () => {
    const err = (await c
      .openai()
      .completions.create({ model: GPT, prompt: 'Say hi' })
      .then(
        () => assert.fail('served'),
        (e: ApiErr) => e,
      )) as ApiErr;
    assert.equal(err.status, 400);
    assert.match(err.message, /\/v1\/chat\/completions.*\/v1\/responses/);
    const id = err.headers?.get('x-gatehouse-decision-id') ?? '';
    assert.match(id, /^dec_/);
    assert.ok(c.h.governor.refused.some((r) => r.decision.id === id && r.refusal.code === 'invalid_request'));
  });
});
