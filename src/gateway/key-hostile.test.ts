// Hostile tests of gateway keys: revoked and rotated-out secrets fail (on every replica), a forged X-Forwarded-For
// does not open a key's networks, other creators cannot manage or read a key, and a secret never shows up in
// audit entries, telemetry, logs, list/show output or cost rows.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { testDatabases } from '../testing/databases.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { sha256 } from './key-store.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

const redisNeeds = await suiteNeeds(REDIS);

async function call(url: string, key: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-small', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: r.status, text: await r.text() };
}

async function api(h: Harness, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${h.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text() };
}

/** Polls until `f` gives `want` (a broadcast crosses replicas asynchronously); returns the last value. */
async function eventually(f: () => Promise<number>, want: number): Promise<number> {
  let got = await f();
  for (let i = 0; i < 40 && got !== want; i++) {
    await new Promise((r) => setTimeout(r, 25));
    got = await f();
  }
  return got;
}

describe('gateway keys, hostile', () => {
  const logs: string[] = [];
  const logger: Logger = {
    error: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
    warn: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
    info: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
    debug: (m, f) => logs.push(m + JSON.stringify(f ?? {})),
  };
  const clock = new ManualClock(Date.now());
  let h: Harness;
  before(async () => {
    h = await startHarness({ clock, logger, config: { trustedProxies: ['127.0.0.1/32'] } });
    h.apps.put(appVersion('desk', { models: [{ id: 'gpt-small' }] }));
  });
  after(() => h.close());

  it('a rotated-out secret fails at once with grace 0, and after its grace period otherwise', async () => {
    const k = await h.gateway.credentials.createKey('desk', undefined, 'alice');
    assert.equal((await call(h.url, k.key)).status, 200);
    const r1 = await h.gateway.credentials.keys.rotate(k.id);
    assert.equal((await call(h.url, k.key)).status, 401, 'old secret refused at once (cache cleared)');
    assert.equal((await call(h.url, r1.key)).status, 200);
    const r2 = await h.gateway.credentials.keys.rotate(k.id, '1h');
    assert.equal(r2.graceUntil, clock.now() + 3_600_000);
    assert.equal((await call(h.url, r1.key)).status, 200, 'previous secret still valid within the grace');
    assert.equal((await call(h.url, r2.key)).status, 200);
    clock.advance(3_600_001);
    assert.equal((await call(h.url, r1.key)).status, 401, 'previous secret refused once the grace is over');
    assert.equal((await call(h.url, r2.key)).status, 200);
    // Revocation also ends a secret still in its grace period.
    const r3 = await h.gateway.credentials.keys.rotate(k.id, '1h');
    await h.gateway.credentials.keys.revoke(k.id);
    assert.equal((await call(h.url, r2.key)).status, 401);
    assert.equal((await call(h.url, r3.key)).status, 401);
  });

  it('unknown and tampered secrets are refused', async () => {
    const k = await h.gateway.credentials.createKey('desk', undefined, 'alice');
    assert.equal((await call(h.url, `${k.key.slice(0, -1)}${k.key.endsWith('A') ? 'B' : 'A'}`)).status, 401);
    assert.equal((await call(h.url, 'ghk_')).status, 401);
  });

  it('behind a trusted proxy the rightmost untrusted X-Forwarded-For hop is checked: a prepended hop does not help', async () => {
    const k = await h.gateway.credentials.keys.create(
      { kind: 'app', app: 'desk', limits: { cidrs: ['10.0.0.0/8'] } },
      'alice',
    );
    assert.equal((await call(h.url, k.key, { 'x-forwarded-for': '10.0.0.5' })).status, 200);
    const forged = await call(h.url, k.key, { 'x-forwarded-for': '10.0.0.5, 203.0.113.9' });
    assert.equal(forged.status, 403);
    assert.match(forged.text, /may not be used from 203\.0\.113\.9/);
    assert.equal((await call(h.url, k.key)).status, 403, 'no header: the peer itself is checked');
  });

  it('another creator cannot create, read, rotate or revoke keys of an app; only admins make service keys', async () => {
    const k = await h.gateway.credentials.createKey('desk', undefined, 'alice');
    assert.equal((await api(h, 'bob-token', 'POST', '/api/v1/keys', { app: 'desk' })).status, 403);
    assert.equal((await api(h, 'bob-token', 'GET', `/api/v1/keys/${k.id}`)).status, 403);
    assert.equal((await api(h, 'bob-token', 'GET', '/api/v1/keys?app=desk')).status, 403);
    assert.equal((await api(h, 'bob-token', 'GET', '/api/v1/keys')).status, 400);
    assert.equal((await api(h, 'bob-token', 'POST', `/api/v1/keys/${k.id}/rotate`, {})).status, 403);
    assert.equal((await api(h, 'bob-token', 'DELETE', `/api/v1/keys/${k.id}`)).status, 403);
    assert.equal((await api(h, 'alice-token', 'POST', '/api/v1/keys', { kind: 'service', team: 't' })).status, 403);
    assert.equal((await api(h, 'admin-token', 'POST', '/api/v1/keys', { kind: 'service', team: 't' })).status, 201);
    assert.equal((await api(h, 'alice-token', 'POST', '/api/v1/keys', { app: 'desk', ttl: 'soon' })).status, 400);
    const bad = await api(h, 'alice-token', 'POST', '/api/v1/keys', {
      app: 'desk',
      limits: { cidrs: ['10.0.0.0/99'] },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /cidrs/);
  });

  it('a secret never appears in audit, telemetry, logs, list/show/rotate output or cost rows', async () => {
    const created = await api(h, 'alice-token', 'POST', '/api/v1/keys', {
      app: 'desk',
      metadata: { team: 'ops' },
      limits: { models: ['gpt-small'], cidrs: ['127.0.0.1'] },
    });
    const { key: secret, id } = JSON.parse(created.text) as { key: string; id: string };
    await call(h.url, secret);
    await call(h.url, secret, { 'x-gatehouse-user': secret }); // a hostile client echoing the secret as user
    const rotated = JSON.parse((await api(h, 'alice-token', 'POST', `/api/v1/keys/${id}/rotate`, {})).text) as {
      key: string;
    };
    await call(h.url, secret); // refused: rotated out
    await api(h, 'alice-token', 'DELETE', `/api/v1/keys/${id}`);
    await call(h.url, rotated.key); // refused: revoked
    await h.gateway.flush();
    const outputs = [
      (await api(h, 'alice-token', 'GET', '/api/v1/keys?app=desk&all=true')).text,
      (await api(h, 'alice-token', 'GET', `/api/v1/keys/${id}`)).text,
      (await api(h, 'alice-token', 'GET', '/api/v1/apps/desk/keys')).text,
      (await api(h, 'admin-token', 'GET', '/api/v1/costs?by=key')).text,
      JSON.stringify(h.audit),
      JSON.stringify(h.telemetry),
      logs.join('\n'),
    ];
    assert.ok(
      h.audit.some((e) => e.data.keyId === id),
      'the key id itself is recorded',
    );
    for (const s of [secret, rotated.key]) {
      for (const [i, out] of outputs.entries()) {
        assert.ok(!out.includes(s), `secret found in output ${i}`);
        assert.ok(!out.includes(sha256(s)), `secret hash found in output ${i}`);
        assert.ok(!out.includes(s.slice(4, 20)), `part of the secret found in output ${i}`);
      }
    }
  });
});

describe('gateway keys across replicas', () => {
  it('revocation and rotation take effect on the other replica (revoked broadcast)', redisNeeds, async () => {
    const sqlite = testDatabases.find((d) => d.name === 'sqlite')!;
    const store = await sqlite.open(gatewayMigrations);
    const second = await store.connectAgain();
    const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
    const a = await startHarness({ db: store.db, coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }) });
    const b = await startHarness({ db: second, coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }) });
    try {
      for (const h of [a, b]) h.apps.put(appVersion('desk', { models: [{ id: 'gpt-small' }] }));
      const k1 = await a.gateway.credentials.createKey('desk', undefined, 'alice');
      const k2 = await a.gateway.credentials.createKey('desk', undefined, 'alice');
      // Replica b has both secrets cached (5 s) when a revokes one and rotates the other.
      assert.equal((await call(b.url, k1.key)).status, 200);
      assert.equal((await call(b.url, k2.key)).status, 200);
      await api(a, 'alice-token', 'DELETE', `/api/v1/keys/${k1.id}`);
      await a.gateway.credentials.keys.rotate(k2.id);
      assert.equal(await eventually(async () => (await call(b.url, k1.key)).status, 401), 401);
      assert.equal(await eventually(async () => (await call(b.url, k2.key)).status, 401), 401);
    } finally {
      await a.close();
      await b.close();
      await second.close();
      await store.cleanup();
    }
  });
});
