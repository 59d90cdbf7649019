// Fallbacks, circuit breaker, the opt-in cache, the gateway's own output cap, tokenize-and-restore, and hostile
// inputs (bad user ids, missing provider key) through the openai client.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { countTokens } from 'gpt-tokenizer';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

type ApiErr = Error & { status?: number; headers?: Headers };

describe('gateway resilience and hostile inputs', () => {
  let h: Harness;
  let client: OpenAI;
  before(async () => {
    h = await startHarness({ config: { breakerFailures: 3, breakerHalfOpenMs: 60_000, retries: 0 } });
    h.apps.put(
      appVersion('ops', {
        models: [{ id: 'gpt-small', fallback: 'gpt-cheap' }, { id: 'gpt-cheap' }, { id: 'claude-small' }],
        budgets: { perUserDailyCostUsd: 0.002 },
        cache: { enabled: true, ttlSeconds: 60 },
      }),
    );
    client = new OpenAI({ apiKey: await h.key('ops'), baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  after(() => h.close());
  beforeEach(() => {
    h.upstream.requests.length = 0;
    h.upstream.reply = (u) => `Echo: ${u}`;
    h.upstream.failNext = [];
    h.upstream.ignoreMaxTokens = false;
    h.upstream.chunkDelayMs = 0;
    h.governor.obligations = {};
  });

  it('serves a repeated identical request from the opt-in cache, at no cost', async () => {
    const ask = () =>
      client.chat.completions
        .create({ model: 'gpt-cheap', user: 'cache-user', messages: [{ role: 'user', content: 'cache me' }] })
        .withResponse();
    const first = await ask();
    const second = await ask();
    assert.equal(second.data.choices[0].message.content, first.data.choices[0].message.content);
    assert.equal(second.response.headers.get('x-gatehouse-cache'), 'hit');
    assert.equal(Number(second.response.headers.get('x-gatehouse-cost-usd')), 0);
    assert.equal(h.upstream.requests.length, 1);
  });

  it('routes to the declared cheaper model when the user budget cannot cover the expensive one', async () => {
    // gpt-small at $4/MTok output with max_tokens 1000 may cost $0.004 > the $0.002 per-user budget; gpt-cheap fits.
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-small',
        user: 'budget-user',
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'cheap please' }],
      })
      .withResponse();
    assert.equal(response.headers.get('x-gatehouse-fallback-from'), 'gpt-small');
    assert.equal(data.model, 'gpt-cheap');
    const refused = h.audit.filter((e) => e.actor === 'budget-user' && e.data.outcome === 'limited');
    assert.equal(refused.length, 1, 'the refused attempt is audited too');
  });

  it('routes to the fallback when the model is killed, but not when the app is', async () => {
    h.governor.deny.set('gpt-small', "Kill switch kil_1 on model 'gpt-small': bad outputs (model:gpt-small)");
    h.governor.refusals.set('gpt-small', { step: 'gate', code: 'killed', scope: 'model:gpt-small', modelOnly: true });
    const { data } = await client.chat.completions
      .create({ model: 'gpt-small', messages: [{ role: 'user', content: 'killed?' }] })
      .withResponse();
    assert.equal(data.model, 'gpt-cheap');
    h.governor.deny.set('gpt-small', "Kill switch kil_2 on app 'ops': kill model 'gpt-small' (app:ops)");
    h.governor.refusals.set('gpt-small', { step: 'gate', code: 'killed', scope: 'app:ops' });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'killed?' }] }),
      (e: ApiErr) => e.status === 403 && /app 'ops'/.test(e.message),
    );
    h.governor.deny.clear();
    h.governor.refusals.clear();
  });

  it('cuts a stream at the output cap when the upstream ignores max_tokens', async () => {
    h.upstream.ignoreMaxTokens = true;
    h.upstream.reply =
      'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    const stream = await client.chat.completions.create({
      model: 'gpt-cheap',
      max_tokens: 5,
      stream: true,
      messages: [{ role: 'user', content: 'count' }],
    });
    let text = '';
    let finish: string | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'length');
    assert.ok(text.startsWith('one two'), `the part within the cap is delivered: '${text}'`);
    assert.ok(countTokens(text) <= 5, `too much text passed the cap: ${text}`);
    assert.equal(h.audit.at(-1)!.data.outcome, 'cut_off');
  });

  it('cuts a JSON answer at the output cap when the upstream ignores max_tokens', async () => {
    h.upstream.ignoreMaxTokens = true;
    h.upstream.reply =
      'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau';
    const r = await client.chat.completions.create({
      model: 'gpt-cheap',
      max_tokens: 4,
      messages: [{ role: 'user', content: 'letters' }],
    });
    assert.equal(r.choices[0].finish_reason, 'length');
    assert.ok(countTokens(r.choices[0].message.content ?? '') <= 4);
    assert.match(r.choices[0].message.content ?? '', /^alpha/);
  });

  it('charges and records a stream the client abandons mid-way', async () => {
    h.upstream.chunkDelayMs = 20;
    h.upstream.reply = 'word '.repeat(80);
    const ac = new AbortController();
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      signal: ac.signal,
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-cheap',
        user: 'leaver',
        stream: true,
        messages: [{ role: 'user', content: 'long one' }],
      }),
    });
    const reader = res.body!.getReader();
    let got = '';
    while (!got.includes('word')) got += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    let entry;
    for (let i = 0; i < 100 && !(entry = h.audit.find((e) => e.actor === 'leaver')); i++)
      await new Promise((r) => setTimeout(r, 20));
    h.upstream.chunkDelayMs = 0;
    assert.ok(entry, 'the abandoned call is audited');
    assert.equal(entry.data.outcome, 'client_closed');
    assert.ok(
      Number(entry.data.tokensOut) > 0 && Number(entry.data.tokensOut) < 80,
      'charged for what was produced, not the worst case',
    );
  });

  it('tokenizes prompt PII upstream and restores it only when the policy allows', async () => {
    h.governor.obligations = { promptDlp: ['tokenize'], outputDlp: ['allow'] };
    const ask = () =>
      client.chat.completions.create({
        model: 'gpt-cheap',
        messages: [{ role: 'user', content: 'write to jane.roe@example.com' }],
      });
    const hidden = await ask();
    const sent = JSON.stringify(h.upstream.requests.at(-1)!.body);
    assert.ok(!sent.includes('jane.roe@example.com'));
    assert.match(sent, /\[EMAIL_ADDRESS:tk_[0-9a-f]{12}\]/);
    assert.match(hidden.choices[0].message.content ?? '', /\[EMAIL_ADDRESS:tk_/);
    h.governor.obligations = { promptDlp: ['tokenize'], outputDlp: ['allow'], restoreTokens: true };
    const shown = await ask();
    assert.equal(shown.choices[0].message.content, 'Echo: write to jane.roe@example.com');
  });

  it('refuses a malformed user attribution with 400 instead of storing it', async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-cheap',
        user: "x' OR 1=1; DROP TABLE gateway_costs; --",
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e: ApiErr) => e.status === 400 && /not a valid user id/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create(
        { model: 'gpt-cheap', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-gatehouse-user': 'a'.repeat(300) } },
      ),
      (e: ApiErr) => e.status === 400,
    );
  });

  it('opens the circuit breaker after repeated upstream failures and then fails fast with 503', async () => {
    h.upstream.failNext = [500, 500, 500, 500, 500];
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        client.chat.completions.create({
          model: 'claude-small',
          max_tokens: 10,
          messages: [{ role: 'user', content: `fail ${i}` }],
        }),
        (e: ApiErr) => e.status === 502 && /upstream answered 500/.test(e.message),
      );
    }
    const before = h.upstream.requests.length;
    await assert.rejects(
      client.chat.completions.create({
        model: 'claude-small',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'again' }],
      }),
      (e: ApiErr) => e.status === 503 && /circuit breaker is open/.test(e.message),
    );
    assert.equal(h.upstream.requests.length, before, 'an open breaker does not call the upstream');
  });

  it('names the missing provider key setting instead of calling upstream without one', async () => {
    const h2 = await startHarness({ env: { GATEHOUSE_MODEL_KEY_GPT_CHEAP: '' } });
    try {
      h2.apps.put(appVersion('ops', { models: [{ id: 'gpt-cheap' }] }));
      const c2 = new OpenAI({ apiKey: await h2.key('ops'), baseURL: `${h2.url}/v1`, maxRetries: 0 });
      await assert.rejects(
        c2.chat.completions.create({ model: 'gpt-cheap', messages: [{ role: 'user', content: 'hi' }] }),
        (e: ApiErr) => e.status === 503 && /set GATEHOUSE_MODEL_KEY_GPT_CHEAP/.test(e.message),
      );
      assert.equal(h2.upstream.requests.length, 0);
    } finally {
      await h2.close();
    }
  });
});
