// The deployment router in isolation: the Model schema's deployments, the latency factor formula, the residency
// rule, rpm/tpm taking (and giving back) through the coordination store, and the weighted pick.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelSchema, type ModelDoc } from '../../catalog/catalog-schema.js';
import { MemoryCatalog } from '../../catalog/testing/memory-catalog.js';
import { regionAllowed, residencyOf } from '../../catalog/residency.js';
import { MemoryCoordination } from '../../coord/memory-coordination.js';
import { DeploymentRouter, deploymentsOf, latencyFactor } from './deployment-router.js';

const base = {
  apiVersion: 'gatehouse/v1',
  kind: 'Model',
  metadata: { name: 'm' },
  spec: {
    provider: 'openai',
    upstream: 'https://api.openai.com/v1',
    region: 'eu-west-1',
    version: '1',
    pricing: { inputPerMTok: 1, outputPerMTok: 1 },
    environments: ['dev'],
    risk: 'low',
  },
};
const withDeps = (deployments: unknown[]) => ({ ...base, spec: { ...base.spec, deployments } });
const d = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  upstream: `http://127.0.0.1:9/${id}`,
  region: 'eu-west-1',
  ...over,
});
const issues = (doc: unknown) => {
  const r = modelSchema.safeParse(doc);
  assert.equal(r.success, false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const EU = { appRegion: 'eu-west-1', restrictedBy: ['crm'] };

describe('Model spec.deployments', () => {
  it('defaults weight to 1 and keeps a model without deployments as it was', () => {
    const m = modelSchema.parse(withDeps([d('a'), d('b', { weight: 3, rpm: 10, tpm: 1000 })]));
    assert.deepEqual(
      m.spec.deployments!.map((x) => x.weight),
      [1, 3],
    );
    assert.equal(modelSchema.parse(base).spec.deployments, undefined);
    const [only] = deploymentsOf(modelSchema.parse(base));
    assert.deepEqual(only, {
      id: 'default',
      provider: 'openai',
      upstream: base.spec.upstream,
      upstreamModel: 'm',
      region: 'eu-west-1',
      weight: 1,
    });
  });

  it('refuses bad deployments with messages naming the field', () => {
    assert.deepEqual(issues(withDeps([d('a'), d('a')])), ["spec.deployments.1.id: deployment id 'a' is used twice"]);
    assert.match(issues(withDeps([d('a', { weight: 0 })]))[0], /^spec\.deployments\.0\.weight: must be a positive/);
    assert.match(issues(withDeps([d('a', { rpm: 1.5 })]))[0], /^spec\.deployments\.0\.rpm: /);
    assert.match(issues(withDeps([d('a', { upstream: 'not a url' })]))[0], /^spec\.deployments\.0\.upstream: must be/);
    assert.match(issues(withDeps([{ id: 'a', upstream: 'http://x/v1' }]))[0], /^spec\.deployments\.0\.region/);
    assert.match(issues(withDeps([d('a', { secretKey: 'x' })]))[0], /secretKey/);
    assert.match(issues(withDeps([]))[0], /^spec\.deployments: list at least one deployment/);
    assert.match(issues(withDeps([d('Bad Id')]))[0], /^spec\.deployments\.0\.id: /);
    assert.deepEqual(issues(withDeps([d('a', { provider: 'anthropic' })])), [
      "spec.deployments.0.provider: must be the model's provider (openai); list a separate Model for a anthropic deployment",
    ]);
  });
});

describe('residency rule', () => {
  const catalog = new MemoryCatalog();
  for (const [name, classification] of [
    ['faq', 'public'],
    ['crm', 'pii'],
  ])
    catalog.put({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name, owner: 'o' },
      spec: { classification, region: 'eu-west-1' },
    });

  it('binds non-public and unknown datasets to the app region, leaves public-only apps free', () => {
    const scope = (data: string[]) =>
      residencyOf({ region: 'eu-west-1', data: data.map((x) => ({ dataset: x })) }, catalog);
    assert.deepEqual(scope(['faq']).restrictedBy, []);
    assert.deepEqual(scope(['faq', 'crm']).restrictedBy, ['crm']);
    assert.deepEqual(scope(['ghost']).restrictedBy, ['ghost'], 'an unknown dataset fails closed');
    assert.equal(regionAllowed(scope(['faq']), 'us-east-1'), true);
    assert.equal(regionAllowed(scope(['crm']), 'us-east-1'), false);
    assert.equal(regionAllowed(scope(['crm']), 'eu-west-1'), true);
  });
});

describe('latency factor', () => {
  it('follows min(1, ((2*best + 20ms) / ewma)^2), floored at 0.05', () => {
    assert.equal(latencyFactor(undefined, 100), 1);
    assert.equal(latencyFactor(100, 100), 1);
    assert.equal(latencyFactor(220, 100), 1);
    assert.equal(latencyFactor(440, 100), 0.25);
    assert.equal(latencyFactor(100_000, 100), 0.05);
  });
});

describe('DeploymentRouter', () => {
  const model = (deployments: unknown[]) => modelSchema.parse(withDeps(deployments)) as ModelDoc;
  const router = (coord = new MemoryCoordination(), open = new Set<string>(), random = Math.random) =>
    new DeploymentRouter({ coord, circuitOpen: (u) => open.has(u), random, now: () => 120_000 });

  it('takes rpm per minute and skips a full deployment for the next one', async () => {
    const r = router();
    const m = model([d('a', { rpm: 2 }), d('b', { weight: 0.000001 })]);
    const picks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const route = r.begin(m, EU, 10);
      picks.push((await route.next())!.id);
      if (i === 2) assert.deepEqual(route.trace.skipped, [{ id: 'a', region: 'eu-west-1', reason: 'rpm' }]);
    }
    assert.deepEqual(picks, ['a', 'a', 'b']);
  });

  it('gives the request back when tpm is full, so rpm counts only calls made', async () => {
    const coord = new MemoryCoordination();
    const r = router(coord);
    const m = model([d('a', { rpm: 10, tpm: 1000 })]);
    assert.equal((await r.begin(m, EU, 600).next())?.id, 'a');
    const second = r.begin(m, EU, 600);
    assert.equal(await second.next(), undefined);
    assert.deepEqual(second.trace.skipped, [{ id: 'a', region: 'eu-west-1', reason: 'tpm' }]);
    const live = await r.live(m);
    assert.equal(live[0].rpmUsed, 1);
    assert.equal(live[0].tpmUsed, 600);
    const err = second.exhausted('app') as Error & { status: number };
    assert.equal(err.status, 429);
  });

  it('skips open circuits and residency, and says which reason refused', async () => {
    const open = new Set(['http://127.0.0.1:9/a']);
    const r = router(new MemoryCoordination(), open);
    const route = r.begin(model([d('a'), d('us', { region: 'us-east-1' })]), EU, 1);
    assert.equal(await route.next(), undefined);
    assert.deepEqual(
      route.trace.skipped.map((s) => `${s.id}:${s.reason}`),
      ['us:residency', 'a:circuit_open'],
    );
    assert.equal((route.exhausted('app') as Error & { status: number }).status, 503);
    const onlyUs = r.begin(model([d('us', { region: 'us-east-1' })]), EU, 1);
    assert.equal(onlyUs.empty, true);
    const denied = onlyUs.exhausted('app') as Error & { status: number };
    assert.equal(denied.status, 403);
    assert.match(denied.message, /residency/);
  });

  it('does not apply residency to the implicit deployment of a model without deployments', async () => {
    const us = modelSchema.parse({ ...base, spec: { ...base.spec, region: 'us-east-1' } }) as ModelDoc;
    const route = router().begin(us, EU, 1);
    assert.equal(route.trace.implicit, true);
    assert.equal((await route.next())?.id, 'default');
  });

  it('scales a much slower deployment down to a sliver of its weight', () => {
    let s = 7;
    const r = router(undefined, undefined, () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646);
    const deps = deploymentsOf(model([d('fast'), d('slow')]));
    let slow = 0;
    for (let i = 0; i < 2000; i++) if (r.pick('m', deps).id === 'slow') slow++;
    assert.ok(slow > 800 && slow < 1200, `equal weights, no latency yet: ${slow}`);
    r.observe('m', 'fast', 10);
    r.observe('m', 'slow', 400);
    slow = 0;
    for (let i = 0; i < 2000; i++) if (r.pick('m', deps).id === 'slow') slow++;
    // factor 0.05 (floor): expected share 0.05/1.05 = 4.8%.
    assert.ok(slow > 40 && slow < 160, `slow deployment picked ${slow} of 2000`);
  });
});
