// End to end through the runner and the bridge in both tiers: the three template-equivalent apps, governance
// (policy deny, deny by default, row limits), egress through a connector, run tokens, and the records of a run.
import { MemoryCatalog } from '../catalog/testing/memory-catalog.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { connectorSchema, datasetSchema } from '../catalog/catalog-schema.js';
import { systemClock } from '../core/clock.js';
import { InvalidInputError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import { repoPath } from '../core/repo-root.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import { tempDir } from '../testing/databases.js';
import { AppRunner } from './app-runner.js';
import { ContainerTier } from './container-tier.js';
import { MicrovmTier } from './microvm-tier.js';
import { RunTokens } from './run-token.js';
import { FakeGovernor, FakeLlm, MemoryAudit, MemoryTelemetry, testManifest } from './sandbox-fakes.js';
import { AppRunError } from './tier.js';
import { WasmTier } from './wasm-tier.js';
import type { LlmCaller } from './llm-invoker.js';
import { CONTAINER_TIER, suiteNeeds } from '../testing/requires.js';
import { MemoryApps } from '../apps/testing/memory-apps.js';

const home = tempDir('gh-run-');
const code = (app: string, ...files: string[]) =>
  Object.fromEntries(files.map((f) => [f, readFileSync(repoPath('src/sandbox/testdata', app, f), 'utf8')]));
let server: Server;
let port = 0;

before(async () => {
  const db = new Database(join(home, 'orders.db'));
  db.exec('CREATE TABLE orders (region TEXT, amount REAL, email TEXT)');
  for (let i = 0; i < 10; i++)
    db.prepare('INSERT INTO orders VALUES (?, ?, ?)').run(i % 2 ? 'eu' : 'us', 10, `u${i}@example.com`);
  db.close();
  server = createServer((_req, res) => res.end('{"weather":"sunny"}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

function setup(tier: 'wasm' | 'container') {
  const governor = new FakeGovernor();
  const audit = new MemoryAudit();
  const telemetry = new MemoryTelemetry();
  const llm = new FakeLlm();
  const tokens = new RunTokens(systemClock);
  const catalog = new MemoryCatalog([
    datasetSchema.parse({
      apiVersion: 'gatehouse/v1',
      kind: 'Dataset',
      metadata: { name: 'orders', owner: 'dana' },
      spec: {
        classification: 'internal',
        region: 'eu',
        source: { kind: 'sqlite', path: 'orders.db' },
        columns: [{ name: 'region' }, { name: 'amount' }, { name: 'email', tags: ['pii'] }],
      },
    }),
    connectorSchema.parse({
      apiVersion: 'gatehouse/v1',
      kind: 'Connector',
      metadata: { name: 'weather', owner: 'ops' },
      spec: { kind: 'http', endpoints: [`http://127.0.0.1:${port}/`], allowPrivateNetwork: true, approved: true },
    }),
  ]);
  const apps = new MemoryApps();
  const models = [{ id: 'gpt-4o-mini' }];
  apps.add(testManifest('chatbot', { models }, tier), code('chatbot', 'main.ts'));
  apps.add(testManifest('summarizer', { models }, tier), code('summarizer', 'main.ts', 'chunk.ts'));
  apps.add(
    testManifest(
      'data-explorer',
      { models, data: [{ dataset: 'orders', access: 'read', purpose: 'sales totals', columns: ['region', 'amount'] }] },
      tier,
    ),
    code('data-explorer', 'main.ts'),
  );
  apps.add(testManifest('weather', { connectors: [{ id: 'weather' }] }, tier), {
    'main.ts': `export default async function main(i: { url: string }, ctx: any) { const r = await ctx.http.fetch(i.url); return { status: r.status, body: await r.json() } }`,
  });
  apps.add(testManifest('sneaky', { models }, tier), {
    'main.ts': `export default async function main(i: unknown, ctx: any) { const out: string[] = []; for (const f of [() => ctx.llm.chat({ model: 'gpt-5-pro', messages: [{ role: 'user', content: 'x' }] }), () => ctx.data.query('orders', {}), () => ctx.http.fetch('https://example.com/')]) { try { await f(); out.push('allowed') } catch (e: any) { out.push(e.message) } } return out }`,
  });
  const runner = new AppRunner({
    apps,
    tiers: { wasm: new WasmTier(), container: new ContainerTier(), microvm: new MicrovmTier() },
    governor,
    audit,
    telemetry,
    clock: systemClock,
    tokens,
    catalog,
    llm,
    datasets: new DatasetQuery(home),
    maxLimits: { timeoutMs: 5000 },
  });
  return { runner, governor, audit, telemetry, llm, tokens, apps };
}

const containerNeeds = await suiteNeeds(CONTAINER_TIER);

for (const tier of ['wasm', 'container'] as const) {
  describe(`app runs in the ${tier} tier`, tier === 'container' ? containerNeeds : {}, () => {
    it('runs the chatbot and records the run and its calls under one run id', async () => {
      const s = setup(tier);
      const r = await s.runner.run({ app: 'chatbot', input: { message: 'hello there' }, user: 'bob' });
      assert.deepEqual(r.output, { reply: 'You said: hello there' });
      assert.equal(r.tier, tier);
      assert.equal(r.usage.capabilityCalls, 2);
      assert.ok(r.usage.costUsd > 0);
      const types = s.audit.entries.filter((e) => e.ids?.runId === r.runId).map((e) => e.type);
      assert.deepEqual(types, ['app.run.started', 'sandbox.capability', 'app.run.finished']);
      assert.ok(s.telemetry.events.some((e) => e.kind === 'app.log' && e.ids?.runId === r.runId));
      assert.ok(
        s.telemetry.events.some((e) => e.kind === 'run' && e.ids?.runId === r.runId && e.attrs?.outcome === 'ok'),
      );
      assert.deepEqual(
        s.governor.inputs.map((i) => i.action),
        ['app.run', 'model.invoke'],
      );
      assert.equal(s.governor.inputs[1].subject.run, r.runId);
    });

    it('runs the summarizer (multi-file TypeScript) and the data explorer', async () => {
      const s = setup(tier);
      const sum = await s.runner.run({
        app: 'summarizer',
        input: { text: 'one two three four five six seven eight nine ten', chunkWords: 4 },
        user: 'bob',
      });
      assert.equal((sum.output as { chunks: number }).chunks, 3);
      assert.match((sum.output as { summary: string }).summary, /^Summary: /);
      const ex = await s.runner.run({ app: 'data-explorer', input: { region: 'eu' }, user: 'bob' });
      assert.deepEqual((ex.output as { byRegion: unknown }).byRegion, { eu: 50 });
    });

    it('applies a rowLimit obligation from policy', async () => {
      const s = setup(tier);
      s.governor.rules.push((i) =>
        i.action === 'data.query'
          ? { effect: 'allow', policy: 'row-cap', reason: 'cap rows', obligations: { rowLimit: 3 } }
          : undefined,
      );
      const ex = await s.runner.run({ app: 'data-explorer', input: {}, user: 'bob' });
      assert.equal((ex.output as { rows: number }).rows, 3);
      assert.equal((ex.output as { truncated: boolean }).truncated, true);
    });

    it('turns a policy deny into an app error naming the policy, and audits it', async () => {
      const s = setup(tier);
      s.governor.rules.push((i) =>
        i.action === 'model.invoke'
          ? { effect: 'deny', policy: 'no-llm-for-bob', reason: 'bob may not use models' }
          : undefined,
      );
      const err = await s.runner
        .run({ app: 'chatbot', input: { message: 'hi' }, user: 'bob' })
        .catch((e: unknown) => e);
      assert.ok(err instanceof AppRunError);
      assert.match(err.message, /no-llm-for-bob/);
      const denied = s.audit.entries.find((e) => e.type === 'sandbox.capability' && e.data.outcome === 'denied');
      assert.equal(denied?.data.policy, 'no-llm-for-bob');
      assert.equal(denied?.ids?.runId, err.extra.runId);
    });

    it('denies by default what the manifest does not declare', async () => {
      const s = setup(tier);
      const r = await s.runner.run({ app: 'sneaky', input: null, user: 'bob' });
      const out = r.output as string[];
      assert.match(out[0], /model 'gpt-5-pro' is not declared.*policy 'manifest'/);
      assert.match(out[1], /dataset 'orders' is not declared/);
      assert.match(out[2], /host 'example.com' is not in the app manifest/);
      assert.equal(r.usage.denied, 3);
      assert.equal(s.llm.requests.length, 0);
    });

    it('reaches a connector that allows the private network, and nothing else on loopback', async () => {
      const s = setup(tier);
      const ok = await s.runner.run({ app: 'weather', input: { url: `http://127.0.0.1:${port}/today` }, user: 'bob' });
      assert.deepEqual(ok.output, { status: 200, body: { weather: 'sunny' } });
      const err = await s.runner
        .run({ app: 'weather', input: { url: `http://127.0.0.1:${port + 1}/` }, user: 'bob' })
        .catch((e: unknown) => e);
      assert.ok(err instanceof AppRunError);
      assert.match(err.message, /not in the app manifest/);
    });

    it('passes the LLM invoker a run token bound to app, version, user and run', async () => {
      const s = setup(tier);
      let caller: LlmCaller | undefined;
      const orig = s.llm.chat.bind(s.llm);
      s.llm.chat = async (req, c) => ((caller = c), orig(req));
      const r = await s.runner.run({ app: 'chatbot', input: { message: 'x' }, user: 'carol' });
      const claims = await s.tokens.verify(caller?.token ?? '');
      assert.deepEqual({ ...claims, exp: 0 }, { app: 'chatbot', version: 1, user: 'carol', run: r.runId, exp: 0 });
      await assert.rejects(new RunTokens(systemClock).verify(caller?.token ?? ''), /invalid or expired/);
    });
  });
}

describe('app runner refusals', () => {
  it('refuses a run that app.run policy denies', async () => {
    const s = setup('wasm');
    s.governor.rules.push((i) =>
      i.action === 'app.run' ? { effect: 'deny', policy: 'frozen', reason: 'change freeze' } : undefined,
    );
    await assert.rejects(
      s.runner.run({ app: 'chatbot', input: { message: 'x' }, user: 'bob' }),
      (e: unknown) => e instanceof PolicyDeniedError && /frozen/.test(e.message),
    );
    assert.ok(s.audit.entries.some((e) => e.type === 'app.run.denied'));
  });

  it('says plainly that the microvm tier is unavailable on this host', async () => {
    const s = setup('wasm');
    s.apps.add(testManifest('vm-app', {}, 'microvm'), { 'main.ts': 'export default async () => 1' });
    await assert.rejects(
      s.runner.run({ app: 'vm-app', input: null, user: 'bob' }),
      (e: unknown) => e instanceof UnavailableError && /^microvm tier unavailable on this host: .+/.test(e.message),
    );
  });

  it('prechecks a submission: compile errors name the file, an unavailable tier says why', async () => {
    const s = setup('wasm');
    const m = (tier: 'wasm' | 'microvm') =>
      s.apps.add(testManifest(`pre-${tier}`, {}, tier), { 'main.ts': 'export default async () => 1' }).manifest;
    await s.runner.precheck({ manifest: m('wasm'), code: { 'main.ts': 'export default async (i: number) => i + 1' } });
    await assert.rejects(
      s.runner.precheck({ manifest: m('wasm'), code: { 'main.ts': 'export default async ( => ' } }),
      (e: unknown) => e instanceof InvalidInputError && /main.ts:1/.test(JSON.stringify(e.details)),
    );
    await assert.rejects(
      s.runner.precheck({ manifest: m('microvm'), code: { 'main.ts': 'export default async () => 1' } }),
      /^UnavailableError: microvm tier unavailable on this host: /,
    );
  });

  it('refuses an app with no version in force', async () => {
    const s = setup('wasm');
    s.apps.add(testManifest('draft-app'), { 'main.ts': 'export default async () => 1' }, 'pending_approval');
    await assert.rejects(s.runner.run({ app: 'draft-app', input: null, user: 'bob' }), /no version that may run/);
  });
});
