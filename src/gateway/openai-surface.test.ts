// The official `openai` client against the gateway on 127.0.0.1 (fake upstream behind it): JSON, streaming,
// refusals with clear messages, DLP on prompt and streamed output, retries, fallbacks and mid-stream breaks.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { PROVIDER_KEY, appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

describe('OpenAI surface with the official openai client', () => {
  let h: Harness;
  let client: OpenAI;
  let key: string;
  before(async () => {
    h = await startHarness({ chunkSize: 3 });
    h.apps.put(
      appVersion('helper', {
        models: [
          { id: 'gpt-small', maxInputTokens: 200, maxOutputTokens: 300, fallback: 'gpt-cheap' },
          { id: 'gpt-cheap' },
          { id: 'claude-small' },
        ],
      }),
    );
    key = await h.key('helper');
    client = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());
  beforeEach(() => {
    h.upstream.requests.length = 0;
    h.upstream.reply = (u) => `Echo: ${u}`;
    h.upstream.failNext = [];
    h.upstream.breakStreamAfterChunks = undefined;
    h.upstream.chunkDelayMs = 0;
    h.governor.obligations = {};
    h.governor.deny.clear();
  });

  it('answers a chat completion with usage and the gatehouse headers; the upstream sees the provider key, never the app key', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Echo: hello there');
    assert.ok(data.usage && data.usage.prompt_tokens > 0 && data.usage.completion_tokens > 0);
    assert.match(response.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    assert.ok(Number(response.headers.get('x-gatehouse-cost-usd')) > 0);
    assert.ok(Number(response.headers.get('x-gatehouse-overhead-ms')) >= 0);
    const up = h.upstream.requests[0];
    assert.equal(up.key, PROVIDER_KEY);
    assert.equal(up.body.model, 'gpt-4o-mini');
    assert.ok(!JSON.stringify(up).includes(key));
    const entry = h.audit.at(-1)!;
    assert.equal(entry.type, 'model.invocation');
    assert.equal(entry.data.outcome, 'ok');
    assert.ok(!JSON.stringify(entry).includes('hello there'), 'the audit entry never holds the raw prompt');
    const ev = h.telemetry.at(-1)!;
    assert.equal(ev.kind, 'model.invocation');
    assert.equal(ev.ids?.decisionId, response.headers.get('x-gatehouse-decision-id'));
  });

  it('streams a completion and reports usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-small',
      messages: [{ role: 'user', content: 'stream me a reply' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Echo: stream me a reply');
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  it('lists only the models the app declares', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids.sort(), ['claude-small', 'gpt-cheap', 'gpt-small']);
  });

  it('refuses a prompt over the token cap with 400 naming the limit and the count', async () => {
    const long = 'word '.repeat(400);
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: long }] }),
      (e: InstanceType<typeof OpenAI.BadRequestError>) => {
        assert.equal(e.status, 400);
        assert.match(e.message, /Prompt is \d+ tokens, over the limit of 200 input tokens \(maxInputTokens\)/);
        return true;
      },
    );
    assert.equal(h.upstream.requests.length, 0);
  });

  it('refuses an undeclared model with 403 saying what to declare', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-huge', messages: [{ role: 'user', content: 'hi' }] }),
      (e: InstanceType<typeof OpenAI.PermissionDeniedError>) => {
        assert.equal(e.status, 403);
        assert.match(e.message, /Model 'gpt-huge' is not declared in app 'helper'.*add it to spec.models/);
        return true;
      },
    );
    assert.equal(h.upstream.requests.length, 0);
  });

  it('rejects max_tokens and temperature over the limits, or clamps them when a policy says so', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-small',
        max_tokens: 5000,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      /max_tokens 5000 is over the limit of 300/,
    );
    h.governor.obligations = { maxTemperature: 0.5 };
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-small',
        temperature: 0.9,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      /temperature 0.9 is over the limit of 0.5/,
    );
    h.governor.obligations = { maxTemperature: 0.5, maxOutputTokens: 50, clampLimits: true };
    await client.chat.completions.create({
      model: 'gpt-small',
      temperature: 0.9,
      max_tokens: 5000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(h.upstream.requests[0].body.max_tokens, 50);
    assert.equal(h.upstream.requests[0].body.temperature, 0.5);
  });

  it('refuses when the policy denies, with the decision id', async () => {
    h.governor.deny.set('gpt-small', 'model gpt-small is not approved for pii data');
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hi' }] }),
      (e: InstanceType<typeof OpenAI.PermissionDeniedError>) => {
        assert.match(e.message, /refused: model gpt-small is not approved/);
        assert.match(e.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
        return true;
      },
    );
  });

  it('masks an SSN in the prompt before it leaves, and in a streamed answer even when split across chunks', async () => {
    await client.chat.completions.create({
      model: 'gpt-small',
      messages: [{ role: 'user', content: 'my ssn is 536-22-8814 ok' }],
    });
    const sent = JSON.stringify(h.upstream.requests[0].body);
    assert.ok(!sent.includes('536-22-8814'), 'the SSN must not reach the upstream');
    h.upstream.chunkDelayMs = 2; // every 3-character piece arrives in its own network read
    h.upstream.reply =
      'Sure, I looked at the record for you. The SSN on file is 417-30-5562 and it was verified last spring by the records team, together with the address. That is all.';
    const stream = await client.chat.completions.create({
      model: 'gpt-small',
      messages: [{ role: 'user', content: 'what is on file?' }],
      stream: true,
    });
    let text = '';
    let pieces = 0;
    for await (const chunk of stream) {
      const c = chunk.choices[0]?.delta?.content;
      if (c) {
        text += c;
        pieces++;
      }
    }
    assert.ok(pieces > 3, 'the answer arrived in several chunks');
    assert.ok(!text.includes('417-30-5562') && !text.replace(/\D/g, '').includes('417305562'), `SSN leaked: ${text}`);
    assert.match(text, /US_SSN/);
    assert.match(text, /That is all\.$/);
    assert.deepEqual((h.audit.at(-1)!.data.dlp as { output: Record<string, number> }).output, { US_SSN: 1 });
  });

  it('blocks a prompt when the policy says block, naming the entity type only', async () => {
    h.governor.obligations = { promptDlp: ['block'] };
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-small',
        messages: [{ role: 'user', content: 'card 4111 1111 1111 1111' }],
      }),
      (e: Error & { status?: number }) => {
        assert.equal(e.status, 403);
        assert.match(e.message, /DLP blocked/);
        assert.ok(!e.message.includes('4111'));
        return true;
      },
    );
    assert.equal(h.upstream.requests.length, 0);
  });

  it('retries an upstream 503 before anything was streamed', async () => {
    h.upstream.failNext = [503];
    const r = await client.chat.completions.create({
      model: 'gpt-cheap',
      messages: [{ role: 'user', content: 'retry me' }],
    });
    assert.equal(r.choices[0].message.content, 'Echo: retry me');
    assert.equal(h.upstream.requests.length, 2);
  });

  it('falls back to the declared cheaper model when the upstream keeps failing', async () => {
    h.upstream.failNext = [500, 500, 500];
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-small', messages: [{ role: 'user', content: 'fallback' }] })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Echo: fallback');
    assert.equal(response.headers.get('x-gatehouse-fallback-from'), 'gpt-small');
    assert.equal(data.model, 'gpt-cheap');
    assert.equal(h.upstream.requests.at(-1)!.body.model, 'gpt-cheap');
  });

  it('ends a stream that breaks mid-way with an error the client raises', async () => {
    h.upstream.reply = 'a fairly long answer that will not arrive in full';
    h.upstream.breakStreamAfterChunks = 2;
    const stream = await client.chat.completions.create({
      model: 'gpt-cheap',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      })(),
      /stream broke mid-way|ended before it finished/,
    );
    assert.ok(text.length < 'a fairly long answer that will not arrive in full'.length);
    assert.equal(h.audit.at(-1)!.data.outcome, 'upstream_error');
  });

  it('rejects a missing, unknown or revoked key with 401', async () => {
    const bad = new OpenAI({ apiKey: 'ghk_not-a-real-key', baseURL: `${h.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      bad.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => e.status === 401 && /Unknown app key/.test(e.message),
    );
    const k2 = await h.gateway.credentials.createKey('helper', undefined, 'alice');
    const c2 = new OpenAI({ apiKey: k2.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await c2.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hi' }] });
    await h.gateway.credentials.revokeKey('helper', k2.id);
    await assert.rejects(
      c2.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => e.status === 401 && /revoked/.test(e.message),
    );
  });
});
