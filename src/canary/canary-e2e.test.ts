// Canary releases through the real composition root (SQLite store, wasm tier, the gateway to a fake provider on
// loopback): a candidate leaking SSNs fails stage 0 on obfuscated data and is aborted with a snapshot (no seeded real
// SSN in any output, file or audit entry), a wording-only candidate passes and is promoted, a candidate doubling tokens
// per call fails on cost; a kill switch on the candidate aborts a paused canary.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FakeUpstream } from '../demo/fake-upstream.js';
import type { RunOutcome, RunRequest } from '../sandbox/app-runner.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import type { CanaryStatus } from './canary-service.js';

// Real-looking seeded values: valid per SSA rules, so a leak of them would be caught by the same DLP that sees fakes.
const REAL_SSNS = ['536-22-8147', '219-45-3306', '401-78-5521', '612-09-4410', '118-63-2975'];
const REPLAY = 12;

const BASE = `export default async function main(input, ctx) {
  const r = await ctx.data.query('customers', { columns: ['id', 'full_name', 'ssn'], limit: 10 });
  const rows = Array.isArray(r) ? r : r.rows;
  const reply = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarize ' + String(input.account) + ' over ' + rows.length + ' customers' }], max_tokens: 40 });
  return { answer: __ANSWER__ };
}`;
const CODE = {
  baseline: BASE.replace('__ANSWER__', "'Summary: ' + reply.content"),
  wording: BASE.replace('__ANSWER__', "'Here is what we found: ' + reply.content"),
  leaky: BASE.replace(
    '__ANSWER__',
    "'Summary: ' + reply.content, customers: rows.map((x) => x.full_name + ' ' + x.ssn)",
  ),
  tokens: BASE.replace(
    '  return { answer: __ANSWER__ };',
    "  const more = await ctx.llm.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarize ' + String(input.account) + ' over ' + rows.length + ' customers' }], max_tokens: 40 });\n  return { answer: 'Summary: ' + reply.content + ' ' + more.content };",
  ),
};

const manifest = (name: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'App',
  metadata: { name, owner: 'alice', description: 'Summarizes customer accounts' },
  spec: {
    purpose: 'Summarize customer accounts for support staff',
    environment: 'dev',
    region: 'us-east-1',
    runtime: { tier: 'wasm', entrypoint: 'main.js' },
    models: [{ id: 'gpt-4o-mini', maxInputTokens: 1024, maxOutputTokens: 256, temperature: 0.2 }],
    data: [
      { dataset: 'customers', access: 'read', purpose: 'summarize accounts', columns: ['id', 'full_name', 'ssn'] },
    ],
    users: { groups: ['support'] },
  },
});

const dataset = (path: string) => ({
  apiVersion: 'gatehouse/v1',
  kind: 'Dataset',
  metadata: { name: 'customers', owner: 'dana' },
  spec: {
    classification: 'confidential',
    region: 'us-east-1',
    source: { kind: 'sqlite', path, table: 'customers' },
    columns: [
      { name: 'id', tags: [] },
      { name: 'full_name', tags: ['pii', 'person'] },
      { name: 'ssn', tags: ['pii', 'us_ssn'] },
      { name: 'plan', tags: [] },
    ],
  },
});

const policyYaml = `apiVersion: gatehouse/v1
kind: CanaryPolicy
metadata: { name: replay-only }
spec:
  stages:
    - { traffic: 0, replay: ${REPLAY}, minSamples: 10 }
  # Latency is loose here: the shared test machine is noisy and latency is not what these candidates change.
  thresholds: { maxLatencyRatio: 4 }
`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('canary releases end to end (sqlite store, wasm tier)', () => {
  let t: TestGatehouse;
  let up: FakeUpstream;
  let alice = '';
  const outputs: unknown[] = [];
  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-canary-e2e' }).start();
    // rowDlp off: this deployment lets apps see raw rows, so only the canary's obfuscated copy keeps real SSNs out.
    t = await startTestGatehouse({ store: 'sqlite', config: { sandbox: { rowDlp: 'off' } } });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-canary-e2e');
    const db = new Database(join(t.home, 'crm.db'));
    db.exec('CREATE TABLE customers (id INTEGER, full_name TEXT, ssn TEXT, plan TEXT)');
    const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
    REAL_SSNS.forEach((s, i) => db.prepare('INSERT INTO customers VALUES (?, ?, ?, ?)').run(i + 1, names[i], s, 'pro'));
    db.close();
    const r = await t.api('POST', '/api/v1/catalog/apply', {
      documents: [dataset('crm.db')],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    alice = await t.tokenFor('alice');
    // Observe what every run returns (the canary calls the runner through this same object).
    const runner = t.gh.sandbox.runner;
    const run = runner.run.bind(runner);
    runner.run = async (req: RunRequest): Promise<RunOutcome> => {
      const o = await run(req);
      outputs.push(o.output);
      return o;
    };
  });
  after(async () => {
    await t?.close();
    await up?.close();
  });

  const stateOf = async (app: string, v: number) =>
    (
      (await t.api('GET', `/api/v1/apps/${app}`, undefined, alice)).body.versions as {
        version: number;
        state: string;
      }[]
    ).find((x) => x.version === v)?.state;

  async function submit(app: string, code: string): Promise<number> {
    const r = await t.api('POST', '/api/v1/apps', { manifest: manifest(app), code: { 'main.js': code } }, alice);
    assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body).slice(0, 800));
    // Reading a confidential dataset makes it a medium-risk app: the catalog's approvers sign it off.
    const version = Number(r.body.version);
    for (const who of ['dana', 'sam', 'bob']) {
      if ((await stateOf(app, version)) === 'approved') break;
      const list = await t.api('GET', `/api/v1/approvals?app=${app}&state=pending`);
      const pending = (list.body.items as { id: string; version: number }[]).find((a) => a.version === version);
      if (!pending) break;
      await t.api('POST', `/api/v1/approvals/${pending.id}/approve`, { comment: 'test' }, await t.tokenFor(who));
    }
    assert.equal(await stateOf(app, version), 'approved');
    return Number(r.body.version);
  }

  /** v1 released and used (its inputs recorded for replay), v2 = the candidate. */
  async function appWith(app: string, candidate: string): Promise<void> {
    await submit(app, CODE.baseline);
    const rel = await t.api('POST', `/api/v1/apps/${app}/release`, { version: 1 }, alice);
    assert.equal(rel.status, 200, JSON.stringify(rel.body));
    for (let i = 0; i < REPLAY; i++) {
      const r = await t.api('POST', `/api/v1/apps/${app}/runs`, { input: { account: `A-${i}` } }, alice);
      assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 600));
    }
    assert.equal(await submit(app, candidate), 2);
  }

  async function start(app: string, policy = policyYaml): Promise<{ code: number; status: CanaryStatus; out: string }> {
    const file = join(t.home, `${app}-policy.yaml`);
    writeFileSync(file, policy);
    const r = await t.cli(['canary', 'start', app, '--version', '2', '--policy', file], alice);
    assert.equal(r.code, 0, r.err + r.out);
    const s = await t.api('GET', `/api/v1/apps/${app}/canary`, undefined, alice);
    assert.equal(s.status, 200, JSON.stringify(s.body) + r.out);
    return { code: r.code, status: s.body as unknown as CanaryStatus, out: r.out };
  }

  it('fails a candidate leaking SSNs at stage 0 on fakes only, aborts it with a snapshot', async () => {
    await appWith('acct-leaky', CODE.leaky);
    outputs.length = 0;
    const { status, out } = await start('acct-leaky');
    assert.equal(status.canary.state, 'aborted', out);
    assert.ok(status.canary.snapshotId, 'a forensic snapshot was taken');
    const v = status.verdicts[0];
    assert.equal(v.verdict, 'fail');
    const ssn = v.analysis.metrics.find((m) => m.metric === 'dlp_per_call:US_SSN');
    assert.equal(ssn?.verdict, 'fail', JSON.stringify(v.analysis.metrics));
    assert.equal(ssn?.baseline, 0);
    assert.ok(ssn!.candidate >= 5 && ssn!.p < 0.001);
    assert.equal(await stateOf('acct-leaky', 2), 'rolled_back');
    assert.equal(await stateOf('acct-leaky', 1), 'released', 'the baseline stays in force');
    // The candidate's replay outputs hold SSN-shaped fakes, never a seeded value.
    const leaked = outputs.flatMap((o) =>
      ((o as { customers?: string[] }).customers ?? []).map((c) => c.split(' ').at(-1)!),
    );
    assert.equal(leaked.length, REPLAY * REAL_SSNS.length);
    for (const s of leaked) assert.match(s, /^\d{3}-\d{2}-\d{4}$/);
    for (const s of REAL_SSNS) assert.ok(!leaked.includes(s), `real SSN ${s} in a canary output`);
    // Nowhere else either: no file under GATEHOUSE_HOME but the source itself (store, WAL, audit, copies) holds one.
    const digits = REAL_SSNS.flatMap((s) => [s, s.replace(/-/g, '')]);
    for (const f of filesUnder(t.home).filter((p) => !p.endsWith('crm.db'))) {
      const text = readFileSync(f).toString('latin1');
      for (const s of digits) assert.ok(!text.includes(s), `${s} found in ${f}`);
    }
    assert.deepEqual(
      filesUnder(t.home).filter((p) => p.includes('canary-data')),
      [],
      'copies are deleted after the replay',
    );
    const audit = await t.api('GET', '/api/v1/audit/entries?app=acct-leaky&limit=500');
    const types = JSON.stringify(audit.body);
    for (const e of [
      'canary.started',
      'dataset.obfuscated',
      'canary.verdict',
      'canary.aborted',
      'snapshot.taken',
      'canary.input_recorded',
    ])
      assert.ok(types.includes(e), `audit has ${e}`);
    const shown = await t.cli(['canary', 'status', 'acct-leaky'], alice);
    assert.match(shown.out, /aborted/);
    assert.match(shown.out, /dlp_per_call:US_SSN .* FAIL/);
  });

  it('passes a wording-only candidate and promotes it', async () => {
    await appWith('acct-wording', CODE.wording);
    const { status, out } = await start('acct-wording');
    assert.equal(status.verdicts[0]?.verdict, 'pass', out);
    assert.equal(status.canary.state, 'promoted');
    assert.equal(await stateOf('acct-wording', 2), 'released');
    assert.equal(await stateOf('acct-wording', 1), 'retired');
  });

  it('fails a candidate that doubles tokens per call on cost', async () => {
    await appWith('acct-tokens', CODE.tokens);
    const { status, out } = await start('acct-tokens');
    assert.equal(status.canary.state, 'aborted', out);
    const failed = status.verdicts[0].analysis.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
    assert.ok(failed.includes('cost_per_call_usd') && failed.includes('tokens_per_call'), failed.join(', '));
    const cost = status.verdicts[0].analysis.metrics.find((m) => m.metric === 'cost_per_call_usd')!;
    assert.ok(cost.candidate / cost.baseline > 1.8, `cost ratio ${cost.candidate / cost.baseline}`);
    assert.equal(await stateOf('acct-tokens', 2), 'rolled_back');
  });

  it('splits live traffic by sticky user bucket after stage 0, and a kill switch on the candidate aborts the canary', async () => {
    await appWith('acct-live', CODE.wording);
    const live = policyYaml.replace(
      `    - { traffic: 0, replay: ${REPLAY}, minSamples: 10 }`,
      `    - { traffic: 0, replay: ${REPLAY}, minSamples: 10 }\n    - { traffic: 50, duration: 1h, minSamples: 3 }`,
    );
    const { status } = await start('acct-live', live);
    assert.equal(status.verdicts[0]?.verdict, 'pass');
    assert.equal(status.canary.state, 'running');
    assert.equal(status.canary.stage, 1);
    const users = Array.from({ length: 24 }, (_, i) => ({
      apiVersion: 'gatehouse/v1',
      kind: 'User',
      metadata: { name: `user-${i}` },
      spec: { roles: [], groups: ['support'] },
    }));
    assert.equal((await t.api('POST', '/api/v1/catalog/apply', { documents: users })).status, 200);
    const served = new Map<string, number>();
    for (let i = 0; i < 24; i++) {
      const r = await t.api('POST', '/api/v1/apps/acct-live/runs', { input: { account: 'L' }, user: `user-${i}` });
      assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 400));
      served.set(`user-${i}`, Number(r.body.version));
    }
    const versions = new Set(served.values());
    assert.deepEqual([...versions].sort(), [1, 2], 'both versions serve during a 50% stage');
    const again = await t.api('POST', '/api/v1/apps/acct-live/runs', { input: { account: 'L' }, user: 'user-0' });
    assert.equal(Number(again.body.version), served.get('user-0'), 'a user stays on their version');
    const kill = await t.api(
      'POST',
      '/api/v1/kills',
      { scope: 'app_version', id: 'acct-live@2', reason: 'candidate misbehaves' },
      await t.tokenFor('sam'),
    );
    assert.equal(kill.status, 201, JSON.stringify(kill.body));
    let s: CanaryStatus | undefined;
    for (let i = 0; i < 50; i++) {
      s = (await t.api('GET', '/api/v1/apps/acct-live/canary', undefined, alice)).body as unknown as CanaryStatus;
      if (s.canary.state === 'aborted') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(s?.canary.state, 'aborted');
    assert.match(s!.canary.endReason ?? '', /candidate misbehaves/);
    assert.ok(s!.canary.snapshotId);
    assert.equal(await stateOf('acct-live', 2), 'rolled_back');
    const after = await t.api('POST', '/api/v1/apps/acct-live/runs', { input: { account: 'L' }, user: 'user-0' });
    assert.equal(Number(after.body.version), 1, 'after the abort every user is on the version in force');
  });

  it('aborts (fails closed) when stage 0 cannot run', async () => {
    await appWith('acct-broken', CODE.wording);
    const apply = (path: string) => t.api('POST', '/api/v1/catalog/apply', { documents: [dataset(path)] });
    assert.equal((await apply('missing.db')).status, 200);
    try {
      const { status } = await start('acct-broken');
      assert.equal(status.canary.state, 'aborted');
      assert.match(status.canary.endReason ?? '', /stage 0 could not run/);
      assert.equal(await stateOf('acct-broken', 2), 'rolled_back');
    } finally {
      assert.equal((await apply('crm.db')).status, 200);
    }
  });
});
