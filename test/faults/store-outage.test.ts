// Issue 20 item 4: PostgreSQL stops under gateway traffic. Governed calls fail closed with 503 naming the store
// (never a hang or a 500), /healthz says degraded, and when PostgreSQL returns the same process serves again and
// its audit log still verifies. Runs a private PostgreSQL on its own port (never the shared server).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../../src/demo/fake-upstream.js';
import { PG_SERVER_BINARIES, startPgInstance, type PgInstance } from '../../src/testing/pg-instance.js';
import { suiteNeeds } from '../../src/testing/requires.js';
import { startTestGatehouse, type TestGatehouse } from '../../src/testing/test-gatehouse.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: PostgreSQL stops under traffic', await suiteNeeds(PG_SERVER_BINARIES), () => {
  let pg: PgInstance;
  let t: TestGatehouse;
  let upstream: FakeUpstream;
  let key = '';
  before(async () => {
    pg = await startPgInstance();
    t = await startTestGatehouse({ config: { databaseUrl: pg.url } });
    upstream = await new FakeUpstream({ apiKey: 'sk-fake-provider' }).start();
    await t.useProvider('gpt-4o-mini', upstream.baseUrl, 'sk-fake-provider');
    key = String((await t.api('POST', '/api/v1/apps/faq-bot/keys', {})).body.key);
  });
  after(async () => {
    await t?.close().catch(() => undefined);
    await upstream?.close();
    pg?.close();
  });

  const call = async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const health = async () =>
    (await (await fetch(`${t.url}/healthz`)).json()) as { status: string; problems: unknown[] };

  it('refuses with 503 while the store is down and serves again when it returns, without a restart', async () => {
    assert.equal((await call()).status, 200);
    // Steady traffic across the outage: one call every 50 ms.
    const seen: number[] = [];
    let traffic = true;
    const loop = (async () => {
      while (traffic) {
        seen.push((await call()).status);
        await sleep(50);
      }
    })();

    pg.stop();
    // Other components (kill, cap and flag reconcilers) may report the outage before the store probe does.
    const storeDown = (x: { problems: unknown[] }) => /store .*unreachable/.test(JSON.stringify(x.problems));
    let h = await health();
    for (let i = 0; i < 100 && !storeDown(h); i++) {
      await sleep(100);
      h = await health();
    }
    assert.equal(h.status, 'degraded');
    assert.match(JSON.stringify(h.problems), /store .*unreachable/);
    const refused = await call();
    assert.equal(refused.status, 503, refused.body);
    assert.match(refused.body, /store \(postgres:\/\/127\.0\.0\.1:\d+\/postgres\) is unreachable/);
    assert.ok(refused.headers.get('x-gatehouse-decision-id'), 'the refusal names its decision');
    assert.notEqual(refused.headers.get('x-should-retry'), 'false', 'an outage is worth retrying');

    pg.start();
    let back = await call();
    for (let i = 0; i < 150 && back.status !== 200; i++) {
      await sleep(100);
      back = await call();
    }
    assert.equal(back.status, 200, back.body);
    traffic = false;
    await loop;
    assert.deepEqual(
      [...new Set(seen)].filter((s) => s !== 200 && s !== 503),
      [],
      `every answer during the outage was 200 or 503: ${seen.join(',')}`,
    );
    assert.ok(seen.includes(503), 'traffic met the outage');
    for (let i = 0; i < 50 && (await health()).status !== 'ok'; i++) await sleep(100);
    assert.equal((await health()).status, 'ok');
    const verify = await t.cli(['--json', 'audit', 'verify']);
    assert.equal(verify.code, 0, verify.err + verify.out);
  });
});
