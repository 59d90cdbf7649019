// Issue 20 item 4: Redis stops under three replicas sharing PostgreSQL. Kills made before the outage stay enforced
// everywhere, a kill made during it reaches the other replicas through the store (reconcile), and when Redis
// returns the replicas broadcast to each other again. Budgets fail closed while Redis is away: a call of an app with
// a budget gets a 503 naming Redis on every replica (never a 200 the shared counter did not see), and is served
// again once Redis returns, without a restart. Uses a private Redis on its own port (never the shared one).
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SALT_FILE, SIGNING_KEY_FILE } from '../../src/audit/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { FakeUpstream } from '../../src/demo/fake-upstream.js';
import { configSchema } from '../../src/feature-registry.js';
import { createGatehouse, type Gatehouse } from '../../src/main.js';
import type { RunningServer } from '../../src/http/server.js';
import { approvedApp, pointModelAt } from '../../src/testing/approved-app.js';
import { dropPgSchema, freshPgSchema, tempDir, TEST_PG_URL } from '../../src/testing/databases.js';
import { REDIS_SERVER_BINARY, startRedisInstance, type RedisInstance } from '../../src/testing/redis-instance.js';
import { POSTGRES, suiteNeeds } from '../../src/testing/requires.js';

const ADMIN = 'replica-admin-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const needs = (await suiteNeeds(POSTGRES)).skip ? await suiteNeeds(POSTGRES) : await suiteNeeds(REDIS_SERVER_BINARY);

interface Replica {
  gh: Gatehouse;
  server: RunningServer;
  home: string;
}

describe('fault: Redis stops under three replicas', needs, () => {
  const schema = freshPgSchema();
  let redis: RedisInstance;
  const replicas: Replica[] = [];
  before(async () => {
    redis = await startRedisInstance();
    for (let i = 0; i < 3; i++) {
      const home = tempDir(`gh-replica-${i}-`);
      // Replicas share the audit signing key and salt (docs/deploy.md); the first one makes them.
      if (i > 0) for (const f of [SIGNING_KEY_FILE, SALT_FILE]) copyFileSync(join(replicas[0].home, f), join(home, f));
      const config = configSchema.parse({
        home,
        server: { host: '127.0.0.1', port: 0 },
        adminToken: ADMIN,
        logLevel: 'silent',
        databaseUrl: TEST_PG_URL,
        redisUrl: redis.url,
        coordKey: 'replica-coordination-key-0123456789abcdef',
        seedExamples: i === 0,
      });
      const gh = await createGatehouse(config, { logger: silentLogger, pgSchema: schema });
      replicas.push({ gh, server: await gh.listen(), home });
    }
  });
  after(async () => {
    for (const r of replicas) {
      await r.server.close().catch(() => undefined);
      await r.gh.close().catch(() => undefined);
      rmSync(r.home, { recursive: true, force: true });
    }
    await redis?.close();
    await upstream?.close();
    await dropPgSchema(schema);
  });
  let upstream: FakeUpstream | undefined;

  const api = async (r: Replica, method: string, path: string, body?: unknown) => {
    const res = await fetch(r.server.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** True when a call of faq-bot to `model` is refused by a kill on this replica. */
  const killedOn = async (r: Replica, model: string) =>
    (
      await r.gh.governor.govern({
        action: 'model.invoke',
        subject: { user: 'alice', app: 'faq-bot' },
        resource: { type: 'model', id: model },
        request: { inputTokens: 10, maxOutputTokens: 10 },
      })
    ).refusal?.code === 'killed';
  const eventually = async (what: string, ok: () => Promise<boolean>, seconds = 10) => {
    for (let i = 0; i < seconds * 10; i++) {
      if (await ok()) return;
      await sleep(100);
    }
    assert.fail(`not within ${seconds} s: ${what}`);
  };

  it('keeps kills enforced through the outage, spreads a new one through the store, and broadcasts again after', async () => {
    const [a, b, c] = replicas;
    const k1 = await api(a, 'POST', '/api/v1/kills', { scope: 'model', id: 'gpt-4o', reason: 'provider incident' });
    assert.equal(k1.status, 201, JSON.stringify(k1.body));
    await eventually('the kill reaches B and C', async () => (await killedOn(b, 'gpt-4o')) && killedOn(c, 'gpt-4o'));

    await redis.stop();
    assert.equal(await killedOn(b, 'gpt-4o'), true, 'a kill made before the outage still holds on B');
    assert.equal(await killedOn(c, 'gpt-4o'), true, 'and on C');
    const k2 = await api(a, 'POST', '/api/v1/kills', {
      scope: 'model',
      id: 'gpt-4o-mini',
      reason: 'during the outage',
    });
    assert.equal(k2.status, 201, JSON.stringify(k2.body));
    await eventually(
      'the kill made during the outage reaches B and C',
      async () => (await killedOn(b, 'gpt-4o-mini')) && killedOn(c, 'gpt-4o-mini'),
    );
    const health = (await (await fetch(`${a.server.url}/healthz`)).json()) as { status: string; problems: unknown[] };
    assert.equal(health.status, 'degraded', 'A says its broadcast was lost');

    await redis.start();
    const lift = await api(c, 'POST', '/api/v1/kills/lift', { scope: 'model', id: 'gpt-4o-mini', reason: 'fixed now' });
    assert.ok(lift.status < 300, JSON.stringify(lift.body));
    await eventually(
      'the lift made on C after the outage reaches A and B',
      async () => !(await killedOn(a, 'gpt-4o-mini')) && !(await killedOn(b, 'gpt-4o-mini')),
    );
    assert.equal(await killedOn(a, 'gpt-4o'), true, 'the other kill is untouched');
    // A broadcasts again once ioredis has reconnected: its lost-broadcast problem clears.
    await eventually('A broadcasts through Redis again', async () => {
      await api(a, 'POST', '/api/v1/kills', { scope: 'model', id: 'claude-haiku', reason: 'probe' });
      await api(a, 'POST', '/api/v1/kills/lift', { scope: 'model', id: 'claude-haiku', reason: 'probe over' });
      const h = (await (await fetch(`${a.server.url}/healthz`)).json()) as { status: string };
      return h.status === 'ok';
    });
  });

  it('fails budgeted calls closed on every replica while Redis is away, and serves them again after', async () => {
    const [a] = replicas;
    upstream = await new FakeUpstream({ apiKey: 'sk-fake-provider', record: false }).start();
    await pointModelAt(
      a.gh,
      replicas.map((r) => r.home),
      'gpt-4o-mini',
      upstream.baseUrl,
      'sk-fake-provider',
    );
    await approvedApp(a.gh, {
      name: 'budget-bot',
      purpose: 'budgets through a Redis outage',
      models: [{ id: 'gpt-4o-mini', maxOutputTokens: 16 }],
      budgets: { dailyCostUsd: 1, requestsPerMinute: 10_000 },
    });
    const key = (await a.gh.gateway.credentials.createKey('budget-bot', undefined, 'alice')).key;
    const call = async (r: Replica) => {
      const res = await fetch(`${r.server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
        signal: AbortSignal.timeout(20_000),
      });
      const out = { status: res.status, text: await res.text() };
      return out;
    };
    // The new app and model reach B and C by broadcast or, at worst, their reconcile loop.
    await eventually(
      'every replica serves budget-bot',
      async () => (await Promise.all(replicas.map(call))).every((c) => c.status === 200),
      30,
    );

    await redis.stop();
    for (const r of replicas) {
      const c = await call(r);
      assert.equal(c.status, 503, `a budgeted call while Redis is away: ${c.text}`);
      assert.match(c.text, /Redis/, 'the refusal names what is missing');
    }

    await redis.start();
    await eventually('every replica serves budget-bot again, without a restart', async () =>
      (await Promise.all(replicas.map(call))).every((c) => c.status === 200),
    );
  });
});
