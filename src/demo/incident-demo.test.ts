// `gatehouse demo incidents` end to end: both cases on a temporary server (what the "Done when" runs), and the
// SSN case against a running, seeded server, which it must leave as it found it (kills lifted, rules off).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../cli/program.js';
import { repoPath } from '../core/repo-root.js';
import { startTestGatehouse } from '../testing/test-gatehouse.js';
import type { IncidentDemoResult } from './incident-demo.js';

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') }, env);
  return { code, out, err };
}

describe('gatehouse demo incidents', () => {
  it('--standalone --speed fast plays both cases: SSNs masked, killed, rolled back; spike capped onto the fallback', async () => {
    const r = await cli(['demo', 'incidents', '--standalone', '--speed', 'fast', '--json']);
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(r.out) as IncidentDemoResult;
    const ssn = res.ssn!;
    assert.equal(ssn.detections, 3, 'three masked answers, then the kill');
    assert.equal(ssn.ssnsReachingCaller, 0, 'output DLP masked every SSN');
    assert.match(ssn.killId ?? '', /^kil_/);
    assert.equal(ssn.rolledBackTo, 1, 'v1, the known-good version, is in force after the rollback');
    assert.deepEqual(ssn.webhookDataOwners, ['demo-data-owner']);
    assert.match(ssn.snapshotId ?? '', /^snp_/);
    assert.deepEqual(
      ssn.audit.map((a) => a.type).sort(),
      ['alert.fired', 'snapshot.taken'],
      'alert and snapshot audited, each with a verified inclusion proof',
    );
    assert.ok(ssn.containMs !== undefined, 'the firing records when the kill took effect');
    const spike = res.spike!;
    assert.equal(spike.fallbackModel, 'demo-economy');
    assert.match(spike.capId ?? '', /^cap_/);
    assert.ok(spike.callsBeforeCap >= 1 && spike.servedByFallback >= 1, JSON.stringify(spike));
    assert.ok(spike.costWithCapUsd < spike.costWithoutCapUsd, JSON.stringify(spike));
    assert.ok(spike.savingPct > 0 && spike.savingPct < 100);
    assert.equal(spike.audit[0]?.type, 'alert.fired');
    assert.ok(res.inspect.some((c) => c.startsWith('gatehouse snapshot show snp_')));
    assert.ok(res.timeline.some((e) => e.step === 'webhook delivered' && e.case === 'spike'));
    assert.equal(res.cleanedUp, true);
  });

  it('against a running server: touches only demo- apps and lifts what it set when done', async () => {
    const t = await startTestGatehouse();
    try {
      const r = await t.cli(['demo', 'incidents', '--case', 'ssn', '--json']);
      assert.equal(r.code, 0, r.err);
      const res = JSON.parse(r.out) as IncidentDemoResult;
      assert.equal(res.standalone, false);
      assert.deepEqual(res.warnings, [], 'the seeded server has no rule watching every app');
      assert.equal(res.ssn?.rolledBackTo, 1);
      const kills = (await t.api('GET', '/api/v1/kills')).body.kills as { target: string }[];
      assert.deepEqual(kills, [], 'the demo kill is lifted');
      const rules = (await t.api('GET', '/api/v1/alerts')).body.rules as {
        metadata: { name: string };
        spec: { enabled: boolean };
      }[];
      const demoRules = rules.filter((x) => x.metadata.name.startsWith('demo-'));
      assert.equal(demoRules.length, 2);
      for (const rule of demoRules) assert.equal(rule.spec.enabled, false, `${rule.metadata.name} switched off`);
      const faq = await t.api('GET', '/api/v1/apps/faq-bot');
      assert.equal(faq.body.inForce, 1, 'the seeded app is untouched');
    } finally {
      await t.close();
    }
  });

  it("warns when the server's own rules watch every app (they act on the demo apps too)", async () => {
    const t = await startTestGatehouse();
    try {
      assert.equal((await t.cli(['alerts', 'apply', repoPath('examples', 'alerts')])).code, 0);
      const r = await t.cli(['demo', 'incidents', '--case', 'spike', '--json']);
      assert.equal(r.code, 0, r.err);
      const res = JSON.parse(r.out) as IncidentDemoResult;
      assert.match(res.warnings[0] ?? '', /rules repeated-ssn-kill, token-spike-cap watch every app/);
      assert.equal(res.spike?.fallbackModel, 'demo-economy');
    } finally {
      await t.close();
    }
  });

  it('bad options are usage errors naming the option', async () => {
    const r = await cli(['demo', 'incidents', '--case', 'leak']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--case must be ssn, spike or both, got 'leak'/);
    const s = await cli(['demo', 'incidents', '--speed', 'slow']);
    assert.equal(s.code, 2);
    assert.match(s.err, /--speed must be fast or realtime/);
  });
});
