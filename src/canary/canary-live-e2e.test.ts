// Live canary stages decided by the clock, through the real composition root (SQLite store, wasm tier, the gateway to a
// fake provider) with a ManualClock: a stage with traffic > 0 collects runs of both versions from a sticky share of
// users and is decided by the analysis gate once its duration has passed (not before). A wording-only candidate passes
// its live stage after the replay and is promoted; a candidate doubling tokens fails its live stage and is rolled back
// with a forensic snapshot, after which every user is served the version in force. The share is the canary's own flag
// row: `gatehouse flag list` shows it, and changing it moves users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { FakeUpstream } from '../demo/fake-upstream.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { CODE, REPLAY, canaryHarness, dataset, seedCustomers } from './testing/canary-fixture.js';

const USERS = 24;
const MINUTE = 60_000;

// Latency is loose: the shared test machine is noisy and latency is not what these candidates change.
const policy = (stages: string) => `apiVersion: gatehouse/v1
kind: CanaryPolicy
metadata: { name: live }
spec:
  stages:
${stages}
  thresholds: { maxLatencyRatio: 10 }
`;

describe('live canary stages decided when their duration runs out (ManualClock)', () => {
  const clock = new ManualClock();
  let t: TestGatehouse;
  let up: FakeUpstream;
  let alice = '';
  const { stateOf, appWith, start, status } = canaryHarness(
    () => t,
    () => alice,
  );

  before(async () => {
    up = await new FakeUpstream({ apiKey: 'sk-canary-live' }).start();
    t = await startTestGatehouse({ store: 'sqlite', clock });
    await t.useProvider('gpt-4o-mini', up.baseUrl, 'sk-canary-live');
    seedCustomers(t.home);
    const users = Array.from({ length: USERS }, (_, i) => ({
      apiVersion: 'gatehouse/v1',
      kind: 'User',
      metadata: { name: `user-${i}` },
      spec: { roles: [], groups: ['support'] },
    }));
    const r = await t.api('POST', '/api/v1/catalog/apply', { documents: [dataset('crm.db'), ...users] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    alice = await t.tokenFor('alice');
  });
  after(async () => {
    await t?.close();
    await up?.close();
  });

  /** Every user runs the app `times` times; returns the version each user was served. */
  async function liveTraffic(app: string, times: number): Promise<Map<string, number>> {
    const served = new Map<string, number>();
    for (let k = 0; k < times; k++)
      for (let i = 0; i < USERS; i++) {
        const user = `user-${i}`;
        const r = await t.api('POST', `/api/v1/apps/${app}/runs`, { input: { account: `L-${k}` }, user });
        assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 400));
        const v = Number(r.body.version);
        if (served.has(user)) assert.equal(v, served.get(user), `${user} stays on one version during the stage`);
        served.set(user, v);
      }
    return served;
  }

  it('passes a live stage after the replay once its duration has passed, and promotes the candidate', async () => {
    await appWith('live-pass', CODE.wording);
    const stages = `    - { traffic: 0, replay: ${REPLAY}, minSamples: 10 }\n    - { traffic: 50, duration: 30m, minSamples: 5 }`;
    const { status: s0, out } = await start('live-pass', policy(stages));
    assert.equal(s0.verdicts[0]?.verdict, 'pass', out);
    assert.deepEqual([s0.canary.state, s0.canary.stage], ['running', 1]);
    // The live share is the canary's own sticky percentage flag row, shown beside the app's flags.
    assert.match((await t.cli(['flag', 'list', 'live-pass'], alice)).out, /live-pass#canary +dev +on +50%/);
    const served = await liveTraffic('live-pass', 2);
    assert.deepEqual([...new Set(served.values())].sort(), [1, 2], 'both versions serve during a 50% stage');

    clock.advance(29 * MINUTE);
    const early = await status('live-pass');
    assert.deepEqual([early.canary.state, early.verdicts.length], ['running', 1], 'not decided before its duration');

    clock.advance(2 * MINUTE);
    const s = await status('live-pass');
    assert.equal(s.canary.state, 'promoted', JSON.stringify(s.verdicts.at(-1)?.analysis.reasons));
    const live = s.verdicts.find((v) => v.stage === 1);
    assert.equal(live?.verdict, 'pass', JSON.stringify(live?.analysis));
    // The gate saw every live run: two per user, split between the arms as the users were.
    const onCandidate = [...served.values()].filter((v) => v === 2).length;
    assert.deepEqual(live!.analysis.samples, { baseline: 2 * (USERS - onCandidate), candidate: 2 * onCandidate });
    assert.match((await t.cli(['flag', 'list', 'live-pass'], alice)).out, /live-pass#canary +dev +off +0%/);
    assert.equal(await stateOf('live-pass', 2), 'released');
    assert.equal(await stateOf('live-pass', 1), 'retired');
    const audit = await t.api('GET', '/api/v1/audit/entries?app=live-pass&type=canary.promoted');
    assert.equal((audit.body.entries as unknown[]).length, 1, 'the promotion is audited once');
  });

  it('fails a live stage on tokens and cost when its duration has passed, and rolls the candidate back', async () => {
    await appWith('live-fail', CODE.tokens, CODE.baseline, 0);
    const { status: s0 } = await start('live-fail', policy('    - { traffic: 50, duration: 30m, minSamples: 5 }'));
    assert.deepEqual([s0.canary.state, s0.canary.stage, s0.verdicts.length], ['running', 0, 0]);
    const served = await liveTraffic('live-fail', 2);
    assert.deepEqual([...new Set(served.values())].sort(), [1, 2]);
    // The split follows the flag row: an operator raising it to 100 % sends every user to the candidate.
    const up100 = await t.api('PUT', '/api/v1/flags/live-fail%23canary/dev', { percentage: 100 });
    assert.equal(up100.status, 200, JSON.stringify(up100.body));
    assert.deepEqual([...new Set((await liveTraffic('live-fail', 1)).values())], [2]);

    clock.advance(31 * MINUTE);
    const s = await status('live-fail');
    assert.equal(s.canary.state, 'aborted');
    assert.ok(s.canary.snapshotId, 'a forensic snapshot was taken');
    assert.match(s.canary.endReason ?? '', /analysis gate failed at stage 0/);
    const failed = s.verdicts[0].analysis.metrics.filter((m) => m.verdict === 'fail').map((m) => m.metric);
    assert.ok(failed.includes('tokens_per_call') && failed.includes('cost_per_call_usd'), failed.join(', '));
    assert.equal(await stateOf('live-fail', 2), 'rolled_back');
    assert.equal(await stateOf('live-fail', 1), 'released', 'the baseline stays in force');
    assert.match((await t.cli(['flag', 'list', 'live-fail'], alice)).out, /live-fail#canary +dev +off +0%/);
    const after = await liveTraffic('live-fail', 1);
    assert.deepEqual([...new Set(after.values())], [1], 'after the abort every user is on the version in force');
  });
});
