// Features steer each other through typed refusals, never through message text: an operator's kill reason that
// mentions a model changes nothing, while a kill of the model itself lets the declared fallback serve.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream } from '../src/demo/fake-upstream.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

const manifest = {
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name: 'refusal-bot', owner: 'alice' },
  spec: {
    purpose: 'Answer product questions with a fallback model',
    environment: 'dev',
    region: 'eu-west-1',
    runtime: { tier: 'wasm', entrypoint: 'main.js' },
    models: [{ id: 'gpt-4o', fallback: 'gpt-4o-mini' }, { id: 'gpt-4o-mini' }],
  },
};

describe('structured refusals', () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let client: OpenAI;
  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-refusals' }).start();
    t = await startTestGatehouse();
    await t.useProvider('gpt-4o', up.baseUrl, 'sk-refusals');
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-refusals');
    const alice = await t.tokenFor('alice');
    const code = { 'main.js': 'export default async function main(input) { return input; }' };
    const sub = await t.api('POST', '/api/v1/apps', { manifest, code }, alice);
    assert.ok(await t.gh.apps.inForce('refusal-bot'), JSON.stringify(sub.body).slice(0, 400));
    const key = await t.api('POST', '/api/v1/apps/refusal-bot/keys', {}, alice);
    client = new OpenAI({ apiKey: String(key.body.key), baseURL: `${t.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await t.close();
    await up.close();
  });
  const ask = () =>
    client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }).withResponse();

  it("an app kill whose reason names a model and 'kill' refuses the call: no fallback, nothing sent", async () => {
    const reason = "kill: model 'gpt-4o' misbehaving, fall back to model 'gpt-4o-mini'";
    assert.equal((await t.api('POST', '/api/v1/kills', { scope: 'app', id: 'refusal-bot', reason })).status, 201);
    const sent = up.requests.length;
    await assert.rejects(ask(), (e: Error & { status?: number }) => e.status === 403);
    assert.equal(up.requests.length, sent, 'the provider saw nothing');
    const d = await t.gh.governor.govern({
      action: 'model.invoke',
      subject: { user: 'app:refusal-bot', app: 'refusal-bot', roles: [], groups: [] },
      resource: { type: 'model', id: 'gpt-4o' },
    });
    assert.deepEqual(d.refusal, { step: 'gate', code: 'killed', scope: 'app:refusal-bot' });
    const sam = await t.tokenFor('sam');
    const lift = await t.api('POST', '/api/v1/kills/lift', { scope: 'app', id: 'refusal-bot', reason: 'done' }, sam);
    assert.equal(lift.body.lifted, true, JSON.stringify(lift.body));
  });

  it('a kill of the model itself lets the declared fallback serve, whatever its reason says', async () => {
    const kill = await t.api('POST', '/api/v1/kills', { scope: 'model', id: 'gpt-4o', reason: 'outputs look wrong' });
    assert.equal(kill.status, 201, JSON.stringify(kill.body));
    const { data, response } = await ask();
    assert.equal(data.model, 'gpt-4o-mini');
    assert.equal(response.headers.get('x-gatehouse-fallback-from'), 'gpt-4o');
  });
});
