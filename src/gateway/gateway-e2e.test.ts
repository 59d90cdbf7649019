// End to end through the real composition root: seeded catalog, apps and policies, the real govern(), the real
// audit log, the CLI, and the openai client against the fake upstream standing in for the provider.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { FakeUpstream } from '../demo/fake-upstream.js';

describe('model gateway end to end (sqlite, real governor and policies)', () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let client: OpenAI;
  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-e2e-provider' }).start();
    t = await startTestGatehouse({ store: 'sqlite' });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-e2e-provider');
    const v = await t.gh.apps.latestVersion('faq-bot');
    if (!(await t.gh.apps.inForce('faq-bot')))
      await t.gh.apps.lifecycle.transition({
        app: 'faq-bot',
        version: v!.version,
        from: v!.state,
        to: 'approved',
        actor: 'admin',
        reason: 'gateway e2e',
      });
    const made = await t.cli(['app', 'key', 'create', 'faq-bot', '--json']);
    assert.equal(made.code, 0, made.err);
    client = new OpenAI({
      apiKey: (JSON.parse(made.out) as { key: string }).key,
      baseURL: `${t.url}/v1`,
      maxRetries: 0,
    });
  });
  after(async () => {
    await t.close();
    await up.close();
  });

  it('serves a declared model under the seeded policies, audited, with cost rows', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        user: 'alice',
        messages: [{ role: 'user', content: 'What does the basic plan cost?' }],
      })
      .withResponse();
    assert.equal(data.choices[0].message.content, 'Echo: What does the basic plan cost?');
    const decisionId = response.headers.get('x-gatehouse-decision-id');
    assert.match(decisionId ?? '', /^dec_/);
    // The manifest says temperature 0.2: the gateway set it since the caller gave none.
    assert.equal(up.requests.at(-1)!.body.temperature, 0.2);
    assert.equal(up.requests.at(-1)!.body.max_tokens, 256);
    const costs = await t.cli(['costs', '--app', 'faq-bot', '--by', 'user', '--json']);
    assert.equal(costs.code, 0, costs.err);
    assert.deepEqual(
      (JSON.parse(costs.out) as { lines: Array<{ key: string; requests: number }> }).lines.map((l) => [
        l.key,
        l.requests,
      ]),
      [['alice', 1]],
    );
  });

  it('refuses an undeclared model, a prompt over the cap and max_tokens over the manifest, with clear messages', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      (e: Error & { status?: number }) => e.status === 403 && /not declared in app 'faq-bot'/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'lorem ipsum '.repeat(700) }],
      }),
      (e: Error & { status?: number }) =>
        e.status === 400 && /inputTokens \d+ exceeds maxInputTokens 1024/.test(e.message),
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        max_tokens: 600,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (e: Error & { status?: number }) => e.status === 400 && /max_tokens 600 is over the limit of 256/.test(e.message),
    );
  });

  it('records a refusal made after the policies allowed (a cap the request breaks) as a deny in the decision log', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', max_tokens: 700, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => assert.fail('max_tokens over the cap was served'),
        (e: Error & { status?: number; headers?: Headers }) => e,
      );
    assert.equal(err.status, 400);
    const id = err.headers?.get('x-gatehouse-decision-id') ?? '';
    assert.match(id, /^dec_/);
    const logged = await t.gh.policy.decisionLog.get(id);
    assert.ok(logged, 'the refusal is in the decision log');
    assert.equal(logged.effect, 'deny');
    assert.match(logged.reason, /max_tokens 700 is over the limit of 256/);
    assert.equal(logged.matched[0]?.policy, 'limit:maxOutputTokens');
    const after = (logged.input.request.refusal as { after?: string }).after;
    assert.equal((await t.gh.policy.decisionLog.get(after ?? ''))?.effect, 'allow', 'it names the allowing decision');
  });

  it('mints a session through the API and attributes calls to its user', async () => {
    const r = await t.api('POST', '/api/v1/sessions', { app: 'faq-bot', user: 'bea', ttl: '15m' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const sc = new OpenAI({ apiKey: String(r.body.token), baseURL: `${t.url}/v1`, maxRetries: 0 });
    await sc.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    await t.gh.gateway.flush();
    const costs = await t.api('GET', '/api/v1/costs?app=faq-bot&by=user');
    assert.ok((costs.body.lines as Array<{ key: string }>).some((l) => l.key === 'bea'));
  });

  it('invokeModel() applies the same enforcement in-process (for ctx.llm.chat)', async () => {
    const r = await t.gh.gateway.invokeModel({
      app: 'faq-bot',
      user: 'alice',
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'in process' }],
    });
    assert.equal(r.text, 'Echo: in process');
    assert.match(r.decisionId, /^dec_/);
    assert.ok(r.costUsd > 0);
    await assert.rejects(
      t.gh.gateway.invokeModel({
        app: 'faq-bot',
        user: 'alice',
        model: 'claude-sonnet',
        messages: [{ role: 'user', content: 'x' }],
      }),
      /not declared/,
    );
  });
});
