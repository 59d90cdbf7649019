// Canary releases through the real composition root (SQLite store, wasm tier, the gateway to a fake provider on
// loopback): a candidate leaking SSNs fails stage 0 on obfuscated data and is aborted with a snapshot (no seeded real
// SSN in any output, file or audit entry), a wording-only candidate passes and is promoted, a candidate doubling tokens
// per call fails on cost; a kill switch on the candidate aborts a paused canary.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeUpstream } from '../demo/fake-upstream.js';
import type { RunOutcome, RunRequest } from '../sandbox/app-runner.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import type { CanaryStatus } from './canary-service.js';
import {
  CODE,
  REAL_SSNS,
  REPLAY,
  canaryHarness,
  dataset,
  policyYaml,
  seedCustomers,
} from './testing/canary-fixture.js';

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
    seedCustomers(t.home);
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

  const { stateOf, appWith, start } = canaryHarness(
    () => t,
    () => alice,
  );

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
