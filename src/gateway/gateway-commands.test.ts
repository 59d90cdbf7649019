// The gateway CLI against a real server: app key create/list/revoke, session create, costs by model and user.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { runCli } from '../cli/program.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

async function cli(h: Harness, token: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    {
      out: (t) => {
        out += t + '\n';
      },
      err: (t) => {
        err += t + '\n';
      },
    },
    { GATEHOUSE_URL: h.url, GATEHOUSE_TOKEN: token },
  );
  return { code, out, err };
}

describe('gateway CLI', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    h.apps.put(appVersion('desk', { models: [{ id: 'gpt-small' }, { id: 'gpt-cheap' }] }));
  });
  after(() => h.close());

  it('creates a key that works, reports costs, and revokes it', async () => {
    const made = await cli(h, 'alice-token', 'app', 'key', 'create', 'desk', '--json');
    assert.equal(made.code, 0, made.err);
    const k = JSON.parse(made.out) as { key: string; id: string; env: string };
    assert.match(k.key, /^ghk_/);
    assert.equal(k.env, 'dev');
    const client = new OpenAI({ apiKey: k.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-small',
      user: 'erin',
      messages: [{ role: 'user', content: 'one' }],
    });
    await client.chat.completions.create({
      model: 'gpt-cheap',
      user: 'erin',
      messages: [{ role: 'user', content: 'two' }],
    });
    await client.chat.completions.create(
      { model: 'gpt-cheap', messages: [{ role: 'user', content: 'three' }] },
      { headers: { 'x-gatehouse-user': 'frank' } },
    );

    const byModel = await cli(h, 'alice-token', 'costs', '--app', 'desk', '--by', 'model', '--json');
    assert.equal(byModel.code, 0, byModel.err);
    const m = JSON.parse(byModel.out) as {
      lines: Array<{ key: string; requests: number; costUsd: number }>;
      total: { requests: number };
    };
    assert.deepEqual(m.lines.map((l) => [l.key, l.requests]).sort(), [
      ['gpt-cheap', 2],
      ['gpt-small', 1],
    ]);
    assert.equal(m.total.requests, 3);
    const byUser = await cli(h, 'admin-token', 'costs', '--by', 'user', '--since', '1h');
    assert.equal(byUser.code, 0, byUser.err);
    assert.match(byUser.out, /erin\s+2/);
    assert.match(byUser.out, /frank\s+1/);

    const bad = await cli(h, 'alice-token', 'costs', '--by', 'color');
    assert.equal(bad.code, 2);
    const notOwner = await cli(h, 'bob-token', 'app', 'key', 'create', 'desk');
    assert.equal(notOwner.code, 1);
    assert.match(notOwner.err, /Only the owner of app 'desk'/);

    const listed = await cli(h, 'alice-token', 'app', 'key', 'list', 'desk');
    assert.match(listed.out, new RegExp(k.id));
    assert.ok(!listed.out.includes(k.key), 'the secret is never listed');
    const revoked = await cli(h, 'alice-token', 'app', 'key', 'revoke', 'desk', k.id);
    assert.equal(revoked.code, 0, revoked.err);
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'four' }] }),
      (e: Error & { status?: number }) => e.status === 401,
    );
  });

  it('mints a session token from the CLI and refuses a bad ttl with exit 2', async () => {
    const ok = await cli(
      h,
      'alice-token',
      'session',
      'create',
      '--app',
      'desk',
      '--user',
      'gina',
      '--ttl',
      '5m',
      '--json',
    );
    assert.equal(ok.code, 0, ok.err);
    const s = JSON.parse(ok.out) as { token: string };
    const client = new OpenAI({ apiKey: s.token, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-small', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(h.audit.at(-1)!.actor, 'gina');
    const bad = await cli(h, 'alice-token', 'session', 'create', '--app', 'desk', '--user', 'gina', '--ttl', 'forever');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /ttl: 'forever' is not a duration/);
  });
});
