// Routing across deployments end to end, with recording fake providers on 127.0.0.1: weights 3:1 serve about 3:1,
// a failing deployment is skipped once its circuit opens, EU-only data never reaches a us-east deployment (and is
// refused when only us-east exists), and a deployment's rpm holds across two gateways sharing Redis.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { DeploymentSpec } from '../catalog/catalog-schema.js';
import { runCli } from '../cli/program.js';
import { ManualClock } from '../core/clock.js';
import type { AuditEventInput } from '../core/sinks.js';
import { RedisCoordination } from '../coord/redis-coordination.js';
import { REDIS, suiteNeeds, TEST_REDIS_URL } from '../testing/requires.js';
import type { RoutingTrace } from './routing/routing-trace.js';
import type { ModelDeployments } from './routing/deployment-routes.js';
import { appVersion, modelDoc, PROVIDER_KEY, startHarness, type Harness } from './testing/gateway-harness.js';
import { RecordingProvider } from './testing/recording-provider.js';

type ApiErr = Error & { status?: number; headers?: Headers };
const redisNeeds = await suiteNeeds(REDIS);

/** mulberry32: a seeded uniform source, so the shares below are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dep = (id: string, p: RecordingProvider, region: string, over: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
  id,
  upstream: `${p.url}/v1`,
  region,
  weight: 1,
  ...over,
});

const routingOf = (e: AuditEventInput) => e.data.routing as RoutingTrace | undefined;
const keyEnv = (...models: string[]) =>
  Object.fromEntries(
    models.map((m) => [`GATEHOUSE_MODEL_KEY_${m.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`, PROVIDER_KEY]),
  );

async function ask(client: OpenAI, model: string, i: number) {
  return client.chat.completions.create({ model, max_tokens: 20, messages: [{ role: 'user', content: `call ${i}` }] });
}

/** Runs n calls, `width` at a time; the settled results in order. */
async function many<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const out: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < n; i += width)
    out.push(...(await Promise.allSettled(Array.from({ length: Math.min(width, n - i) }, (_, j) => fn(i + j)))));
  return out;
}

/** `gatehouse model deployments <model> --json` against a harness, as admin. */
async function liveState(h: Harness, model: string): Promise<ModelDeployments> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t + '\n'), err: (t: string) => void (err += t + '\n') };
  const env = { GATEHOUSE_URL: h.url, GATEHOUSE_TOKEN: 'admin-token' };
  const code = await runCli(['model', 'deployments', model, '--json'], io, env);
  assert.equal(code, 0, err);
  return JSON.parse(out) as ModelDeployments;
}

describe('routing across deployments', () => {
  let h: Harness;
  const p = { a: new RecordingProvider(), b: new RecordingProvider(), bad: new RecordingProvider() };
  const geo = { eu: new RecordingProvider(), us: new RecordingProvider() };
  const down = { x: new RecordingProvider(), y: new RecordingProvider() };
  let client: OpenAI;
  let euClient: OpenAI;
  let publicClient: OpenAI;

  before(async () => {
    await Promise.all([...Object.values(p), ...Object.values(geo), ...Object.values(down)].map((x) => x.start()));
    h = await startHarness({
      config: { breakerFailures: 3, breakerHalfOpenMs: 600_000, retries: 0 },
      routingRandom: seeded(42),
      env: keyEnv('weighted', 'flaky', 'geo', 'us-only', 'all-down'),
    });
    h.catalog.put(
      modelDoc('weighted', 'openai', `${p.a.url}/v1`, {
        deployments: [dep('a', p.a, 'eu', { weight: 3 }), dep('b', p.b, 'eu', { weight: 1 })],
      }),
    );
    h.catalog.put(
      modelDoc('flaky', 'openai', `${p.a.url}/v1`, {
        deployments: [dep('bad', p.bad, 'eu', { weight: 5 }), dep('good', p.a, 'eu')],
      }),
    );
    h.catalog.put(
      modelDoc('geo', 'openai', `${geo.eu.url}/v1`, {
        region: 'eu-west-1',
        deployments: [dep('eu-1', geo.eu, 'eu-west-1'), dep('us-1', geo.us, 'us-east-1', { weight: 9 })],
      }),
    );
    h.catalog.put(
      modelDoc('us-only', 'openai', `${geo.us.url}/v1`, {
        region: 'us-east-1',
        deployments: [dep('us-1', geo.us, 'us-east-1')],
      }),
    );
    h.catalog.put(
      modelDoc('all-down', 'openai', `${down.x.url}/v1`, {
        deployments: [dep('x', down.x, 'eu'), dep('y', down.y, 'eu')],
      }),
    );
    const dataset = (name: string, classification: string) => ({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name, owner: 'alice' },
      spec: { classification, region: 'eu-west-1' },
    });
    h.catalog.put(dataset('eu-customers', 'pii'));
    h.catalog.put(dataset('faq-articles', 'public'));
    const models = [{ id: 'weighted' }, { id: 'flaky' }, { id: 'geo' }, { id: 'us-only' }];
    const reads = (d: string) => [{ dataset: d, access: 'read', purpose: 'answer questions' }];
    h.apps.put(appVersion('router', { models: [...models, { id: 'all-down', fallback: 'weighted' }] }));
    h.apps.put(appVersion('eu-app', { region: 'eu-west-1', models, data: reads('eu-customers') }));
    h.apps.put(appVersion('public-app', { region: 'eu-west-1', models, data: reads('faq-articles') }));
    const mk = async (app: string) => new OpenAI({ apiKey: await h.key(app), baseURL: `${h.url}/v1`, maxRetries: 0 });
    [client, euClient, publicClient] = await Promise.all([mk('router'), mk('eu-app'), mk('public-app')]);
  });
  after(async () => {
    await h.close();
    await Promise.all([...Object.values(p), ...Object.values(geo), ...Object.values(down)].map((x) => x.close()));
  });

  it('weights 3:1 serve about 3:1 over 400 calls, and each record names the deployment that served', async (t) => {
    p.a.reset();
    p.b.reset();
    const results = await many(400, 8, (i) => ask(client, 'weighted', i));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 400);
    const shareA = p.a.received.length / 400;
    // Expected 0.75; with 400 draws the standard deviation is 0.022, so 0.6-0.9 is ~7 sigma either side.
    assert.ok(shareA >= 0.6 && shareA <= 0.9, `deployment a served ${shareA}`);
    t.diagnostic(`weight 3 served ${p.a.received.length}/400 (${shareA})`);
    assert.equal(p.a.received.length + p.b.received.length, 400);
    const served = h.audit.filter((e) => e.data.model === 'weighted').map((e) => routingOf(e)?.served);
    assert.equal(served.filter((s) => s === 'a').length, p.a.received.length);
    assert.equal(served.filter((s) => s === 'b').length, p.b.received.length);
    assert.equal(
      h.telemetry.filter((t) => t.model === 'weighted' && t.attrs?.deployment === 'b').length,
      p.b.received.length,
    );
  });

  it('a deployment answering 500 fails over within the call, then is skipped once its circuit opens', async () => {
    p.a.reset();
    p.bad.script = Array.from({ length: 100 }, () => ({ status: 500, message: 'deployment down' }));
    const before = h.audit.length;
    const results = await many(40, 1, (i) => ask(client, 'flaky', i));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 40, 'every call is served by the good one');
    // breakerFailures 3, no retries: the bad deployment is called exactly three times, then never while open.
    assert.equal(p.bad.received.length, 3);
    assert.equal(p.a.received.length, 40);
    const traces = h.audit.slice(before).map((e) => routingOf(e)!);
    const failedOver = traces.filter((t) => t.attempts.some((a) => a.id === 'bad' && a.outcome === 'failed'));
    assert.equal(failedOver.length, 3);
    for (const t of failedOver) assert.deepEqual(t.attempts.at(-1), { id: 'good', region: 'eu', outcome: 'served' });
    assert.deepEqual(failedOver[0].attempts[0], { id: 'bad', region: 'eu', outcome: 'failed', status: 500 });
    const skipped = traces.filter((t) => t.skipped.some((s) => s.id === 'bad' && s.reason === 'circuit_open'));
    assert.ok(skipped.length >= 37 - 3, `${skipped.length} calls skipped the open circuit`);
    assert.ok(traces.every((t) => t.served === 'good'));
    const live = await liveState(h, 'flaky');
    assert.deepEqual(
      live.deployments.map((x) => `${x.id}:${x.circuit}`),
      ['bad:open', 'good:closed'],
    );
    assert.equal(typeof live.deployments[1].latencyMs, 'number');
  });

  it('after every deployment failed within the call, the manifest fallback serves (streams too)', async () => {
    const fail = () => Array.from({ length: 2 }, () => ({ status: 503, message: 'overloaded' }));
    down.x.script = fail();
    down.y.script = fail();
    const before = h.audit.length;
    const r = await ask(client, 'all-down', 1);
    assert.equal(r.model, 'weighted');
    const [first, second] = h.audit.slice(before);
    assert.equal(first.data.outcome, 'upstream_error');
    const t = routingOf(first)!;
    assert.equal(t.served, undefined);
    assert.deepEqual(t.attempts.map((a) => `${a.id}:${a.outcome}:${a.status}`).sort(), [
      'x:failed:503',
      'y:failed:503',
    ]);
    assert.equal(second.data.fallbackFrom, 'all-down');
    assert.ok(['a', 'b'].includes(routingOf(second)!.served!));
    // A stream fails over the same way before its first byte.
    const stream = await client.chat.completions.create({
      model: 'all-down',
      stream: true,
      max_tokens: 20,
      messages: [{ role: 'user', content: 'stream me' }],
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.equal(text, 'Echo: stream me');
    const last = h.audit.at(-1)!;
    assert.equal(routingOf(last)!.attempts.length, 1);
    assert.equal(down.x.received.length + down.y.received.length, 4);
  });

  it('EU-only data is never sent to a us-east deployment, however heavy its weight', async () => {
    geo.eu.reset();
    geo.us.reset();
    const before = h.audit.length;
    const results = await many(30, 5, (i) => ask(euClient, 'geo', i));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 30);
    assert.equal(geo.us.received.length, 0);
    assert.equal(geo.eu.received.length, 30);
    for (const e of h.audit.slice(before)) {
      const t = routingOf(e)!;
      assert.equal(t.served, 'eu-1');
      assert.deepEqual(t.skipped, [{ id: 'us-1', region: 'us-east-1', reason: 'residency' }]);
      assert.deepEqual(t.residency, { appRegion: 'eu-west-1', restrictedBy: ['eu-customers'] });
    }
  });

  it('with only a us-east deployment, an app with EU-only data is refused (403 naming residency), fail closed', async () => {
    geo.us.reset();
    const before = h.audit.length;
    await assert.rejects(ask(euClient, 'us-only', 1), (e: ApiErr) => {
      assert.equal(e.status, 403);
      assert.match(e.message, /residency/);
      assert.match(e.message, /us-1 \(us-east-1\)/);
      assert.match(e.message, /eu-west-1/);
      return true;
    });
    assert.equal(geo.us.received.length, 0);
    const [rec] = h.audit.slice(before);
    assert.equal(rec.data.outcome, 'denied');
    const t = routingOf(rec)!;
    assert.equal(t.served, undefined);
    assert.deepEqual(t.attempts, []);
    assert.deepEqual(t.skipped, [{ id: 'us-1', region: 'us-east-1', reason: 'residency' }]);
  });

  it('embeddings are routed by the same rule: EU-only data never reaches us-east', async () => {
    geo.eu.reset();
    geo.us.reset();
    for (let i = 0; i < 10; i++) await euClient.embeddings.create({ model: 'geo', input: `text ${i}` });
    assert.equal(geo.us.received.length, 0);
    assert.equal(geo.eu.received.length, 10);
    assert.equal(geo.eu.last.path, '/v1/embeddings');
    assert.deepEqual(routingOf(h.audit.at(-1)!)!.skipped, [{ id: 'us-1', region: 'us-east-1', reason: 'residency' }]);
    await assert.rejects(euClient.embeddings.create({ model: 'us-only', input: 'x' }), (e: ApiErr) => {
      assert.equal(e.status, 403);
      assert.match(e.message, /residency/);
      return true;
    });
    assert.equal(geo.us.received.length, 0);
  });

  it('an app whose data is all public may use any region (the rule binds non-public data only)', async () => {
    geo.us.reset();
    await ask(publicClient, 'us-only', 1);
    assert.equal(geo.us.received.length, 1);
    assert.deepEqual(routingOf(h.audit.at(-1)!)!.skipped, []);
  });

  it('hostile: when the EU deployment fails, failover never crosses into us-east (502, then 503 once open)', async () => {
    geo.eu.reset();
    geo.us.reset();
    geo.eu.script = Array.from({ length: 10 }, () => ({ status: 500, message: 'eu down' }));
    const before = h.audit.length;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      await ask(euClient, 'geo', i).then(
        () => statuses.push(200),
        (e: ApiErr) => statuses.push(e.status ?? 0),
      );
    // breakerFailures 3: three 502s reach the EU deployment, then its circuit is open and nothing else may serve.
    assert.deepEqual(statuses, [502, 502, 502, 503, 503]);
    assert.equal(geo.us.received.length, 0);
    assert.equal(geo.eu.received.length, 3);
    const last = routingOf(h.audit.at(-1)!)!;
    assert.deepEqual(
      last.skipped.map((x) => `${x.id}:${x.reason}`),
      ['us-1:residency', 'eu-1:circuit_open'],
    );
    assert.equal(h.audit.length - before, 5);
  });
});

describe('deployment rpm across replicas', () => {
  it('two gateways sharing Redis let a deployment take no more than its rpm', redisNeeds, async () => {
    const prefix = `ghtest:${randomBytes(6).toString('hex')}:`;
    const up = await new RecordingProvider().start();
    // One fixed minute for both replicas, so the window cannot roll over mid-test.
    const clock = new ManualClock(Date.parse('2026-06-01T10:00:30Z'));
    const env = keyEnv('limited');
    const a = await startHarness({ coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }), clock, env });
    const b = await startHarness({ coord: new RedisCoordination({ url: TEST_REDIS_URL, prefix }), clock, env });
    try {
      const clients: OpenAI[] = [];
      for (const g of [a, b]) {
        g.catalog.put(
          modelDoc('limited', 'openai', `${up.url}/v1`, { deployments: [dep('only', up, 'eu', { rpm: 5 })] }),
        );
        g.apps.put(appVersion('rl', { models: [{ id: 'limited' }] }));
        clients.push(new OpenAI({ apiKey: await g.key('rl'), baseURL: `${g.url}/v1`, maxRetries: 0 }));
      }
      const results = await many(16, 8, (i) => ask(clients[i % 2], 'limited', i));
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 5);
      assert.equal(up.received.length, 5);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        const e = r.reason as ApiErr;
        assert.equal(e.status, 429);
        assert.ok(Number(e.headers?.get('retry-after')) >= 1, 'a Retry-After to the next minute');
        assert.match(e.message, /per-minute limit \(only \(eu\)\)/);
      }
      const recs = [...a.audit, ...b.audit].filter((e) => e.data.outcome === 'limited');
      assert.equal(recs.length, 11);
      for (const e of recs) assert.deepEqual(routingOf(e)!.skipped, [{ id: 'only', region: 'eu', reason: 'rpm' }]);
      assert.ok(a.audit.some((e) => routingOf(e)?.served) && b.audit.some((e) => routingOf(e)?.served));
      // Either replica sees the shared count.
      assert.equal((await liveState(b, 'limited')).deployments[0].rpmUsed, 5);
      // The next minute opens a new window.
      clock.advance(60_000);
      await ask(clients[0], 'limited', 99);
      assert.equal(up.received.length, 6);
    } finally {
      await a.close();
      await b.close();
      await up.close();
    }
  });
});
