// coordination.outage.budgetShare through the whole server: with the option set, a replica whose Redis stops keeps
// serving an app whose daily budget it had seen, within its local share, and refuses past it (429, not 503); with
// Redis back the outage spend is in the shared counter. Uses a private Redis on its own port (never the shared one).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { FakeUpstream } from '../../src/demo/fake-upstream.js';
import { configSchema } from '../../src/feature-registry.js';
import { createGatehouse, type Gatehouse } from '../../src/main.js';
import type { RunningServer } from '../../src/http/server.js';
import { approvedApp, pointModelAt } from '../../src/testing/approved-app.js';
import { dropPgSchema, freshPgSchema, tempDir, TEST_PG_URL } from '../../src/testing/databases.js';
import { REDIS_SERVER_BINARY, startRedisInstance, type RedisInstance } from '../../src/testing/redis-instance.js';
import { POSTGRES, suiteNeeds } from '../../src/testing/requires.js';

const ADMIN = 'share-admin-token-0123456789';
const needs = (await suiteNeeds(POSTGRES)).skip ? await suiteNeeds(POSTGRES) : await suiteNeeds(REDIS_SERVER_BINARY);

describe('fault: Redis stops with coordination.outage.budgetShare set', needs, () => {
  const schema = freshPgSchema();
  let redis: RedisInstance;
  let upstream: FakeUpstream;
  let gh: Gatehouse;
  let server: RunningServer;
  let home: string;
  let redisDir: string;
  before(async () => {
    redisDir = tempDir('gh-share-redis-');
    redis = await startRedisInstance({ persistDir: redisDir });
    home = tempDir('gh-share-');
    const config = configSchema.parse({
      home,
      server: { host: '127.0.0.1', port: 0 },
      adminToken: ADMIN,
      logLevel: 'silent',
      databaseUrl: TEST_PG_URL,
      redisUrl: redis.url,
      coordKey: 'share-coordination-key-0123456789abcdef',
      seedExamples: true,
      coordination: { outage: { budgetShare: { replicas: 4 } } },
    });
    gh = await createGatehouse(config, { logger: silentLogger, pgSchema: schema });
    server = await gh.listen();
    upstream = await new FakeUpstream({ apiKey: 'sk-fake-provider', record: false }).start();
  });
  after(async () => {
    await server?.close().catch(() => undefined);
    await gh?.close().catch(() => undefined);
    await upstream?.close();
    await redis?.close();
    await dropPgSchema(schema);
    rmSync(home, { recursive: true, force: true });
    rmSync(redisDir, { recursive: true, force: true });
  });

  it('serves within the local share while Redis is away, refuses past it, and adds the spend to Redis after', async () => {
    await pointModelAt(gh, [home], 'gpt-4o-mini', upstream.baseUrl, 'sk-fake-provider');
    // Each call reserves the worst case for 16 output tokens; the budget leaves room for a handful of calls.
    await approvedApp(gh, {
      name: 'share-bot',
      purpose: 'budgets through a Redis outage with a local share',
      models: [{ id: 'gpt-4o-mini', maxOutputTokens: 16 }],
      budgets: { dailyCostUsd: 0.00008 },
    });
    const key = (await gh.gateway.credentials.createKey('share-bot', undefined, 'alice')).key;
    const call = async () => {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, text: await res.text() };
    };
    const first = await call();
    assert.equal(first.status, 200, first.text);
    const counter = `gw:cost:app:share-bot:${new Date().toISOString().slice(0, 10)}`;
    const perCall = await gh.coord.get(counter);
    assert.ok(perCall > 0, 'the first call is counted in Redis');

    await redis.stop();
    const during: number[] = [];
    for (let i = 0; i < 40; i++) {
      const c = await call();
      during.push(c.status);
      if (c.status !== 200) {
        assert.equal(c.status, 429, `past the share a call is refused as over budget: ${c.text}`);
        assert.match(c.text, /daily budget/);
        break;
      }
    }
    const served = during.filter((s) => s === 200).length;
    assert.ok(served >= 2, `some calls are served from the local share (${during.join(',')})`);
    assert.equal(during.at(-1), 429, `the share runs out (${during.join(',')})`);

    await redis.start();
    for (
      let i = 0;
      !(await gh.coord.get(counter).then(
        () => true,
        () => false,
      ));
      i++
    ) {
      assert.ok(i < 150, 'the Redis connection comes back within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The next call adds the outage spend to Redis before it reserves: without that the counter would hold two calls.
    await call();
    const spent = await gh.coord.get(counter);
    assert.ok(
      spent >= perCall * (1 + served) * 0.999,
      `Redis holds ${spent}, ${perCall} per call, ${served} during the outage`,
    );
  });
});
