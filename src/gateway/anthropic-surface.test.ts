// The official @anthropic-ai/sdk client against the gateway: JSON and streaming, either provider upstream,
// Anthropic-shaped errors, and session tokens minted through POST /api/v1/sessions.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

describe('Anthropic surface with the official @anthropic-ai/sdk client', () => {
  let h: Harness;
  let client: Anthropic;
  before(async () => {
    h = await startHarness({ chunkSize: 5 });
    h.apps.put(
      appVersion('writer', {
        models: [{ id: 'claude-small', maxOutputTokens: 500 }, { id: 'gpt-small' }],
        budgets: { perUserDailyCostUsd: 1 },
      }),
    );
    client = new Anthropic({ apiKey: await h.key('writer'), baseURL: h.url, maxRetries: 0 });
  });
  after(() => h.close());
  beforeEach(() => {
    h.upstream.requests.length = 0;
    h.upstream.reply = (u) => `Echo: ${u}`;
    h.upstream.breakStreamAfterChunks = undefined;
  });

  it('creates a message against an Anthropic upstream, with the system prompt passed through', async () => {
    const { data, response } = await client.messages
      .create({
        model: 'claude-small',
        max_tokens: 100,
        system: 'be brief',
        messages: [{ role: 'user', content: 'hello claude' }],
      })
      .withResponse();
    assert.equal(data.content[0].type, 'text');
    assert.equal((data.content[0] as { text: string }).text, 'Echo: hello claude');
    assert.equal(data.stop_reason, 'end_turn');
    assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
    assert.match(response.headers.get('x-gatehouse-decision-id') ?? '', /^dec_/);
    const up = h.upstream.requests[0];
    assert.equal(up.path, '/v1/messages');
    assert.equal(up.body.system, 'be brief');
    assert.equal(up.body.model, 'claude-3-5-haiku');
  });

  it('streams a message from an OpenAI upstream through the Anthropic surface', async () => {
    const stream = client.messages.stream({
      model: 'gpt-small',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'cross protocol please' }],
    });
    let text = '';
    stream.on('text', (t) => {
      text += t;
    });
    const final = await stream.finalMessage();
    assert.equal(text, 'Echo: cross protocol please');
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(h.upstream.requests[0].path, '/v1/chat/completions');
  });

  it('reports max_tokens over the cap in the Anthropic error shape', async () => {
    await assert.rejects(
      client.messages.create({ model: 'claude-small', max_tokens: 4000, messages: [{ role: 'user', content: 'hi' }] }),
      (e: InstanceType<typeof Anthropic.BadRequestError>) => {
        assert.equal(e.status, 400);
        assert.equal((e.error as { type: string }).type, 'error');
        assert.match(e.message, /max_tokens 4000 is over the limit of 500/);
        return true;
      },
    );
  });

  it('turns a broken upstream stream into an error event the client raises', async () => {
    h.upstream.reply = 'this answer is going to be cut off somewhere in the middle of it';
    h.upstream.breakStreamAfterChunks = 2;
    const stream = client.messages.stream({
      model: 'claude-small',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
    });
    await assert.rejects(stream.finalMessage(), /stream broke mid-way|ended before it finished/);
  });

  it('mints session tokens bound to app, version and user; per-user budgets use them', async () => {
    const res = await fetch(`${h.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice-token', 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'writer', user: 'carol', ttl: '15m' }),
    });
    assert.equal(res.status, 201);
    const s = (await res.json()) as { token: string; sessionId: string; version: number; expiresAt: number };
    assert.equal(s.version, 1);
    const sc = new Anthropic({ apiKey: s.token, baseURL: h.url, maxRetries: 0 });
    await sc.messages.create({
      model: 'claude-small',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'as carol' }],
    });
    const entry = h.audit.at(-1)!;
    assert.equal(entry.actor, 'carol');
    assert.equal(entry.data.session, s.sessionId);
    const inputs = h.governor.inputs.at(-1)!;
    assert.equal(inputs.subject.user, 'carol');
    assert.equal(inputs.subject.session, s.sessionId);

    // Someone else's app: bob is not the owner.
    const denied = await fetch(`${h.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer bob-token', 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'writer', user: 'mallory' }),
    });
    assert.equal(denied.status, 403);
    // A tampered token (user changed, signature kept) is refused.
    const [hd, body, sig] = s.token.split('.');
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    forged.sub = 'admin';
    const fc = new Anthropic({
      apiKey: `${hd}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`,
      baseURL: h.url,
      maxRetries: 0,
    });
    await assert.rejects(
      fc.messages.create({ model: 'claude-small', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => e.status === 401,
    );
  });

  it('refuses sessions of a version that is no longer in force', async () => {
    const s = await h.gateway.credentials.createSession('writer', 'dave', '10m');
    const v = (await h.apps.latestVersion('writer'))!;
    h.apps.put({ ...v, version: 2 });
    await new Promise((r) => setTimeout(r, 1100)); // the in-force lookup is cached for one second
    const sc = new Anthropic({ apiKey: s.token, baseURL: h.url, maxRetries: 0 });
    await assert.rejects(
      sc.messages.create({ model: 'claude-small', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => e.status === 403 && /version 1, which is no longer in force/.test(e.message),
    );
    h.apps.put(v);
  });
});
