// The run surface end to end on a real server: POST /api/v1/apps/:app/runs and `gatehouse app run`, with the real
// governor, policies, audit log and seeded catalog (a data-only app, so no model provider is needed).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppService } from '../apps/app-service.js';
import { SYSTEM_PRINCIPAL } from '../identity/principal.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { CONTAINER_TIER, suiteNeeds } from '../testing/requires.js';

const manifest = (name: string, tier: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name, owner: 'alice' },
  spec: {
    purpose: 'echo input for tests',
    environment: 'dev',
    region: 'eu-west-1',
    runtime: { tier, entrypoint: 'main.js' },
    ...extra,
  },
});
const code = {
  'main.js':
    'export default async function main(input, ctx) { ctx.log("run", input); return { got: input, at: "sandbox" } }',
};

// The set-up submits an app in each tier, so the whole suite needs the container tier.
describe('app runs over HTTP and the CLI', await suiteNeeds(CONTAINER_TIER), () => {
  let t: TestGatehouse;
  let alice = '';
  const api = (method: string, path: string, body?: unknown) => t.api(method, path, body, alice);
  const cli = (args: string[]) => t.cli(args, alice);
  before(async () => {
    t = await startTestGatehouse();
    alice = await t.tokenFor('alice');
    for (const [name, tier] of [
      ['echo-wasm', 'wasm'],
      ['echo-box', 'container'],
    ]) {
      const r = await api('POST', '/api/v1/apps', { manifest: manifest(name, tier), code });
      assert.ok(
        (r.status === 201 || r.status === 200) && r.body.state === 'approved',
        JSON.stringify(r.body).slice(0, 500),
      );
    }
    // Submit refuses a tier this host cannot run, naming the field and the reason ...
    const vm = await api('POST', '/api/v1/apps', { manifest: manifest('echo-vm', 'microvm'), code });
    assert.equal(vm.status, 400);
    assert.match(String(vm.body.error?.message), /spec\.runtime\.tier: microvm tier unavailable on this host: /);
    // ... and a version stored while the tier existed (here: with the submit check off) is refused at run time.
    const g = t.gh;
    const unchecked = new AppService({ ...g, registry: g.apps.registry, admission: g.approvals.admission });
    const stored = await unchecked.submit(manifest('echo-vm', 'microvm'), code, SYSTEM_PRINCIPAL);
    assert.equal(stored.version.state, 'approved', JSON.stringify(stored.version.state));
  });
  after(() => t.close());

  it('runs an app in force and returns output, run id and usage (wasm and container)', async () => {
    for (const app of ['echo-wasm', 'echo-box']) {
      const r = await api('POST', `/api/v1/apps/${app}/runs`, { input: { n: 1 } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.output, { got: { n: 1 }, at: 'sandbox' });
      assert.match(String(r.body.runId), /^run_/);
      const usage = r.body.usage as Record<string, number>;
      for (const k of ['cpuMs', 'peakMemoryBytes', 'wallMs', 'capabilityCalls', 'costUsd'])
        assert.equal(typeof usage[k], 'number', k);
    }
  });

  it('records the run in the audit log under its run id', async () => {
    const r = await api('POST', '/api/v1/apps/echo-wasm/runs', { input: 'x' });
    const runId = String(r.body.runId);
    await new Promise((res) => setTimeout(res, 200)); // group commit
    const entries = await t.gh.auditLog.entries({ limit: 10_000, app: 'echo-wasm' });
    const mine = entries.filter((e) => Buffer.from(e.leaf).toString('utf8').includes(runId)).length;
    assert.ok(mine >= 2, `expected run start and finish entries for ${runId}`);
  });

  it('runs from the CLI with --input JSON and @file', async () => {
    const file = join(t.home, 'in.json');
    writeFileSync(file, '{"from":"file"}');
    const a = await cli(['app', 'run', 'echo-wasm', '--input', '{"a":1}', '--json']);
    assert.equal(a.code, 0, a.err);
    assert.deepEqual(JSON.parse(a.out).output, { got: { a: 1 }, at: 'sandbox' });
    const b = await cli(['app', 'run', 'echo-box', '--input', `@${file}`]);
    assert.equal(b.code, 0, b.err + b.out);
    assert.match(b.out, /"from": "file"/);
    assert.match(b.out, /container tier/);
  });

  it('says plainly that the microvm tier is unavailable here (503), and reports tiers', async () => {
    const r = await api('POST', '/api/v1/apps/echo-vm/runs', { input: null });
    assert.equal(r.status, 503);
    assert.match(String(r.body.error?.message), /^microvm tier unavailable on this host: /);
    const tiers = await cli(['sandbox', 'tiers']);
    assert.match(tiers.out, /wasm\s+available/);
    assert.match(tiers.out, /microvm\s+unavailable: /);
  });

  it('gives user mistakes 4xx and exit 2, never 5xx', async () => {
    assert.equal((await api('POST', '/api/v1/apps/nope/runs', {})).status, 404);
    assert.equal((await api('POST', '/api/v1/apps/echo-wasm/runs', { input: 1, bogus: true })).status, 400);
    const bad = await cli(['app', 'run', 'echo-wasm', '--input', '{not json']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--input is not valid JSON/);
  });
});
