// Tools under governance, through the official SDKs: an undeclared tool is refused naming the policy before the
// provider sees anything; policy sees request.tools; an SSN in tool-call arguments is masked before the app sees it
// (JSON and streamed, both surfaces); tool results are scanned on the way up; a JSON-mode answer with an email stays
// valid JSON after redaction; audit and telemetry carry tool names and counts, never arguments.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type { Decision, GovernInput } from '../../src/core/governance.js';
import { CLAUDE, GPT, startCompat, type Compat } from './compat-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers };
const SSN = '536-22-8814';
const tool = (name: string) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: { note: { type: 'string' } } } },
});

describe('tool calling governed', () => {
  let c: Compat;
  let client: OpenAI;
  let govern: (i: GovernInput) => Promise<Decision>;
  before(async () => {
    c = await startCompat();
    client = c.openai();
    govern = c.h.governor.govern.bind(c.h.governor);
  });
  after(() => c.close());
  beforeEach(() => {
    c.provider.reset();
    c.h.governor.govern = govern;
  });

  it('refuses a tool the manifest does not declare, naming the policy and the tool; the provider sees nothing', async () => {
    const err = await client.chat.completions
      .create({ model: GPT, messages: [{ role: 'user', content: 'x' }], tools: [tool('get_weather'), tool('rm_rf')] })
      .then(() => assert.fail('expected a refusal'))
      .catch((e: ApiErr) => e);
    assert.equal(err.status, 403);
    assert.match(err.message, /manifest-scope policy: tool 'rm_rf' is not declared/);
    assert.match(err.headers?.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.equal(c.provider.received.length, 0);
    // A pattern declaration (search_*) covers search_web; the tool names reach govern() as request.tools.
    await client.chat.completions.create({
      model: GPT,
      messages: [{ role: 'user', content: 'x' }],
      tools: [tool('search_web')],
    });
    const input = c.h.governor.inputs.at(-1)!;
    assert.deepEqual(input.request?.tools, ['search_web']);
    assert.equal(input.request?.toolCount, 1);
  });

  it('a policy denying on request.tools refuses with its reason and decision id', async () => {
    c.h.governor.govern = async (i) => {
      const d = await govern(i);
      const tools = (i.request?.tools as string[] | undefined) ?? [];
      return tools.includes('search_payroll')
        ? {
            ...d,
            effect: 'deny',
            reason: 'policy no-payroll-search: payroll search needs approval',
            refusal: { step: 'policy', code: 'denied' },
          }
        : d;
    };
    await assert.rejects(
      c.anthropic().messages.create({
        model: CLAUDE,
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 'search_payroll', input_schema: { type: 'object' } }],
      }),
      (e: ApiErr) => e.status === 403 && /no-payroll-search/.test(e.message),
    );
    assert.equal(c.provider.received.length, 0);
  });

  for (const model of [GPT, CLAUDE]) {
    it(`${model}: an SSN in tool-call arguments is masked before the app sees it (JSON and streamed)`, async () => {
      const call = { id: 'call_9', name: 'get_weather', input: { note: `customer ${SSN}`, n: 3 } };
      c.provider.script = [{ toolCalls: [call] }];
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'x' }],
        tools: [tool('get_weather')],
      });
      const args = res.choices[0].message.tool_calls?.[0];
      assert.ok(args?.type === 'function');
      assert.ok(!args.function.arguments.includes(SSN), args.function.arguments);
      assert.deepEqual(JSON.parse(args.function.arguments), { note: 'customer [US_SSN]', n: 3 });

      c.provider.script = [{ toolCalls: [call] }];
      const final = await c
        .anthropic()
        .messages.stream({
          model,
          max_tokens: 50,
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
        })
        .finalMessage();
      const block = final.content.find((b) => b.type === 'tool_use');
      assert.deepEqual(block?.type === 'tool_use' && block.input, { note: 'customer [US_SSN]', n: 3 });
      const entry = c.h.audit.at(-1)!;
      assert.deepEqual(entry.data.tools, { offered: ['get_weather'], called: ['get_weather'], calls: 1 });
      assert.deepEqual(entry.data.dlp, { prompt: {}, output: { US_SSN: 1 } });
      assert.ok(!JSON.stringify(entry).includes('customer'), 'the audit entry never holds arguments');
      const ev = c.h.telemetry.at(-1)!;
      assert.equal(ev.metrics?.toolCalls, 1);
      assert.equal(ev.attrs?.toolNames, 'get_weather');
    });
  }

  it('tool results and assistant tool arguments from the app are scanned before the provider sees them', async () => {
    await client.chat.completions.create({
      model: CLAUDE,
      tools: [tool('get_weather')],
      messages: [
        { role: 'user', content: 'look up' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: `{"note":"${SSN}"}` } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: `record for ${SSN}` },
      ],
    });
    const sent = JSON.stringify(c.provider.last.body);
    assert.ok(!sent.includes(SSN), sent);
    const msgs = c.provider.last.body.messages as Array<{ content: Array<Record<string, unknown>> }>;
    assert.deepEqual(msgs[1].content[0].input, { note: '[US_SSN]' });
    assert.equal(msgs[2].content[0].content, 'record for [US_SSN]');
  });

  for (const model of [GPT, CLAUDE]) {
    it(`${model}: a JSON-mode answer containing an email stays valid JSON after redaction`, async () => {
      const doc = { contact: 'write to jane.doe@example.com', quote: 'she said "hi"', n: 1 };
      c.provider.script =
        model === GPT
          ? [{ text: JSON.stringify(doc) }]
          : [{ toolCalls: [{ id: 't', name: 'gatehouse_json_answer', input: doc }] }];
      const res = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'contact?' }],
        response_format: { type: 'json_object' },
      });
      const parsed = JSON.parse(res.choices[0].message.content ?? '') as typeof doc;
      assert.equal(parsed.contact, 'write to [EMAIL_ADDRESS]');
      assert.equal(parsed.quote, 'she said "hi"');
      assert.equal(parsed.n, 1);
    });
  }

  it('hostile: an email hidden behind a JSON escape is still found, and the answer stays valid JSON', async () => {
    // Scanned as raw text this would leak the name and leave `\[EMAIL_ADDRESS]`, an invalid JSON escape.
    c.provider.script = [{ text: '{"contact":"jane\\u002edoe@example.com"}' }];
    const res = await client.chat.completions.create({
      model: GPT,
      messages: [{ role: 'user', content: 'contact?' }],
      response_format: { type: 'json_object' },
    });
    assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { contact: '[EMAIL_ADDRESS]' });
  });
});
