// The key CLI against a real server: key create|list|show|rotate|revoke, app key create with limits (same code),
// and costs --by key|team.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../cli/program.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

async function cli(h: Harness, token: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') },
    { GATEHOUSE_URL: h.url, GATEHOUSE_TOKEN: token },
  );
  return { code, out, err };
}

async function call(h: Harness, key: string, model: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await r.text();
  return r.status;
}

describe('gatehouse key CLI', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    h.apps.put(appVersion('desk', { models: [{ id: 'gpt-small' }, { id: 'gpt-cheap' }] }));
  });
  after(() => h.close());

  it('creates, lists, shows, rotates and revokes a key with limits; never prints a secret twice', async () => {
    const made = await cli(
      h,
      'alice-token',
      ...['key', 'create', '--app', 'desk', '--models', 'gpt-small', '--daily-usd', '1', '--rpm', '100'],
      ...['--team', 'billing', '--cost-center', 'cc-7', '--label', 'tier=gold', '--cidr', '127.0.0.0/8,::1', '--json'],
    );
    assert.equal(made.code, 0, made.err);
    const k = JSON.parse(made.out) as { key: string; id: string; expiresAt: number; limits: Record<string, unknown> };
    assert.deepEqual(k.limits, { models: ['gpt-small'], dailyUsd: 1, rpm: 100, cidrs: ['127.0.0.0/8', '::1'] });
    assert.ok(k.expiresAt > Date.now() + 89 * 86_400_000, '90 days by default');
    assert.equal(await call(h, k.key, 'gpt-small'), 200);
    assert.equal(await call(h, k.key, 'gpt-cheap'), 403);

    const listed = await cli(h, 'alice-token', 'key', 'list', '--app', 'desk');
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, new RegExp(`${k.id}\\s+app\\s+desk`));
    const shown = await cli(h, 'alice-token', 'key', 'show', k.id);
    assert.match(shown.out, /models:\s+gpt-small/);
    assert.match(shown.out, /team:\s+billing\s+cost center: cc-7\s+labels: tier=gold/);
    for (const out of [listed.out, shown.out]) assert.ok(!out.includes(k.key));

    const costs = await cli(h, 'alice-token', 'costs', '--app', 'desk', '--by', 'team', '--json');
    const lines = (JSON.parse(costs.out) as { lines: Array<{ key: string; requests: number }> }).lines;
    assert.equal(lines.find((l) => l.key === 'billing')?.requests, 1);
    const byKey = await cli(h, 'alice-token', 'costs', '--app', 'desk', '--by', 'key');
    assert.match(byKey.out, new RegExp(k.id));

    const rotated = await cli(h, 'alice-token', 'key', 'rotate', k.id, '--grace', '1h');
    assert.equal(rotated.code, 0, rotated.err);
    assert.match(rotated.out, /the previous secret works until/);
    const fresh = /key:\s+(ghk_\S+)/.exec(rotated.out)![1];
    assert.notEqual(fresh, k.key);
    assert.equal(await call(h, k.key, 'gpt-small'), 200, 'old secret within its grace');
    assert.equal(await call(h, fresh, 'gpt-small'), 200);

    const revoked = await cli(h, 'alice-token', 'key', 'revoke', k.id);
    assert.equal(revoked.code, 0, revoked.err);
    assert.equal(await call(h, fresh, 'gpt-small'), 401);
    assert.equal(await call(h, k.key, 'gpt-small'), 401);
    const all = await cli(h, 'alice-token', 'key', 'list', '--app', 'desk', '--all');
    assert.match(all.out, /REVOKED/);
  });

  it('app key create takes the same options; ttl never must be explicit', async () => {
    const made = await cli(
      h,
      'alice-token',
      'app',
      'key',
      'create',
      'desk',
      '--ttl',
      'never',
      '--monthly-usd',
      '5',
      '--json',
    );
    assert.equal(made.code, 0, made.err);
    const k = JSON.parse(made.out) as { expiresAt?: number; limits: { monthlyUsd?: number } };
    assert.equal(k.expiresAt, undefined);
    assert.equal(k.limits.monthlyUsd, 5);
    const bad = await cli(h, 'alice-token', 'app', 'key', 'create', 'desk', '--daily-usd', 'lots');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--daily-usd 'lots'/);
  });

  it('an admin creates a team service key that calls as the app it names', async () => {
    const made = await cli(h, 'admin-token', 'key', 'create', '--team', 'search', '--apps', 'desk', '--ttl', '30d');
    assert.equal(made.code, 0, made.err);
    assert.match(made.out, /service key of team:search/);
    assert.match(made.out, /x-gatehouse-app/);
    const key = /key:\s+(ghk_\S+)/.exec(made.out)![1];
    assert.equal(await call(h, key, 'gpt-small', { 'x-gatehouse-app': 'desk' }), 200);
    const listed = await cli(h, 'admin-token', 'key', 'list', '--team', 'search');
    assert.match(listed.out, /service\s+team:search/);
    const refused = await cli(h, 'alice-token', 'key', 'create', '--team', 'search');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /Only an admin manages service keys/);
  });
});
