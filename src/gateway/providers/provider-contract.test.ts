// The provider contract suite, run against every adapter through UpstreamClient and a recording fake of that
// provider's wire format: chat JSON, stream, a tool call, an embedding, and a wrong credential. Each case asserts what
// the fake received (URL, headers, body) and what the gateway got back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UpstreamEvent } from '../gateway-types.js';
import {
  CALL,
  CONTRACT_CASES,
  chatBody,
  toolBody,
  type ContractCase,
  type Obj,
} from '../testing/provider-contract-cases.js';
import { UpstreamClient, UpstreamError, type UpstreamTarget } from '../upstream-client.js';

const client = () =>
  new UpstreamClient({
    timeoutMs: 5000,
    retries: 0,
    retryBaseMs: 10,
    breakerFailures: 50,
    breakerHalfOpenMs: 1000,
    deadlineMs: 5000,
  });

async function collect(it: AsyncIterable<UpstreamEvent>) {
  let text = '';
  const calls = [];
  let finish = '';
  const usage: Obj = {};
  for await (const ev of it) {
    if (ev.type === 'text') text += ev.text;
    else if (ev.type === 'tool_call') calls.push(ev.call);
    else if (ev.type === 'finish') finish = ev.finishReason;
    else Object.assign(usage, ev.usage);
  }
  return { text, calls, finish, usage };
}

for (const c of CONTRACT_CASES)
  describe(`provider contract: ${c.title}`, () => {
    let env: Awaited<ReturnType<ContractCase['start']>>;
    let up: UpstreamClient;
    let t: UpstreamTarget;
    before(async () => {
      env = await c.start();
      up = client();
      t = {
        name: 'm-contract',
        doc: env.doc,
        baseUrl: env.doc.spec.upstream,
        upstreamModel: env.doc.spec.upstreamModel ?? 'up-model',
        key: env.key,
      };
      if (!env.doc.spec.upstreamModel) t.upstreamModel = 'up-model';
    });
    after(async () => {
      await up.close();
      await env.fake.close();
    });
    const last = () => env.fake.received.at(-1)!;

    it('chat JSON: the provider gets its own URL, auth and body; the gateway gets text, finish and usage', async () => {
      const r = await up.complete(t, { body: chatBody(c.wire, false) });
      assert.equal(last().path, c.paths.chat);
      c.auth(last().headers, env.key);
      c.sentChat(last().body);
      assert.equal(r.text, c.reply);
      assert.equal(r.finishReason, 'stop');
      assert.deepEqual(r.usage, c.usage);
      assert.equal(r.toolCalls, undefined);
    });

    it('stream: deltas arrive as text, then the finish reason and the usage', async () => {
      const got = await collect(await up.stream(t, { body: chatBody(c.wire, true) }));
      assert.equal(last().path, c.paths.stream);
      c.auth(last().headers, env.key);
      c.sentChat(last().body);
      assert.equal(got.text, c.reply);
      assert.equal(got.finish, 'stop');
      assert.deepEqual(got.usage, c.usage);
      assert.deepEqual(got.calls, []);
    });

    it('a tool call: tools and tool_choice translated out, the call read back (JSON and stream)', async () => {
      env.tool(CALL);
      const r = await up.complete(t, { body: toolBody(c.wire) });
      c.sentTools(last().body);
      assert.equal(r.finishReason, 'tool_calls');
      assert.equal(r.toolCalls?.length, 1);
      assert.equal(r.toolCalls?.[0]?.name, 'get_weather');
      assert.deepEqual(JSON.parse(r.toolCalls?.[0]?.arguments ?? ''), { city: 'Paris' });
      env.tool(CALL);
      const s = await collect(await up.stream(t, { body: { ...toolBody(c.wire), stream: true } }));
      assert.equal(s.finish, 'tool_calls');
      assert.deepEqual(
        s.calls.map((x) => [x.name, JSON.parse(x.arguments)]),
        [['get_weather', { city: 'Paris' }]],
      );
      assert.ok(s.calls[0]?.id, 'a tool call carries an id the caller can answer');
    });

    if (c.paths.embed && c.sentEmbed)
      it('an embedding: OpenAI embeddings body out, OpenAI embeddings answer back', async () => {
        const answer = await up.embed(t, { model: 'up-model', input: ['a', 'bb'] });
        assert.equal(last().path, c.paths.embed);
        c.auth(last().headers, env.key);
        c.sentEmbed!(last().body);
        const data = answer.data as Array<{ index: number; embedding: number[] }>;
        assert.equal(data.length, 2);
        assert.deepEqual(
          data.map((d) => d.index),
          [0, 1],
        );
        assert.ok(data.every((d) => Array.isArray(d.embedding) && d.embedding.length === 3));
        assert.ok(Number((answer.usage as Obj).prompt_tokens) > 0);
      });
    else
      it('embeddings are refused before anything is sent', async () => {
        const n = env.fake.received.length;
        await assert.rejects(up.embed(t, { model: 'up-model', input: 'a' }), (e: UpstreamError) => e.status === 400);
        assert.equal(env.fake.received.length, n);
      });

    if (!c.noAuth)
      it('a wrong provider credential is a 502 naming the model, never echoing the credential', async () => {
        const bad = { ...t, key: env.badKey ?? '' };
        const err = (await up
          .complete(bad, { body: chatBody(c.wire, false) })
          .catch((e: unknown) => e)) as UpstreamError;
        assert.ok(err instanceof UpstreamError, String(err));
        assert.equal(err.status, 502);
        assert.match(err.message, /Model 'm-contract': .*refused the (provider|service-account|client) credential/);
        assert.doesNotMatch(err.message, /secret|BEGIN|PRIVATE/);
        assert.equal(err.extra.credentialRefused, true);
        const streamErr = (await up.stream(bad, { body: chatBody(c.wire, true) }).catch((e: unknown) => e)) as Error;
        assert.equal((streamErr as UpstreamError).status, 502);
      });
  });
