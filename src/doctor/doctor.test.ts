// `gatehouse doctor` on a real server: a fresh installation lists its fails with the fixes; one started with the
// fix settings, after the fix commands are followed, passes every item. Hostile: a witness that does not match the
// log, and a never-expiring admin token, fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import type { DoctorReport } from './doctor-routes.js';

const statusOf = (r: DoctorReport) => Object.fromEntries(r.items.map((i) => [i.id, i.status]));

async function report(t: TestGatehouse, headers: Record<string, string> = {}): Promise<DoctorReport> {
  const res = await fetch(`${t.url}/api/v1/doctor`, {
    headers: { authorization: `Bearer ${t.adminToken}`, ...headers },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as DoctorReport;
}

/** Stands in for an OTLP collector (the exporter only needs something to POST to). */
async function collector(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('gatehouse doctor', () => {
  it('a fresh installation: exit 1, each fail with why and the fix', async () => {
    const t = await startTestGatehouse();
    try {
      const r = await t.cli(['doctor']);
      assert.equal(r.code, 1);
      assert.match(r.err, /readiness item\(s\) fail/);
      const rep = await report(t);
      const s = statusOf(rep);
      for (const id of ['telemetry', 'audit', 'kill-drill', 'backups']) assert.equal(s[id], 'fail', id);
      assert.equal(s.policy, 'pass', 'the seeded bundle is active with its tests passing');
      assert.equal(s.tls, 'warn', 'loopback only');
      for (const i of rep.items.filter((x) => x.status !== 'pass')) assert.ok(i.fix.length > 10, `${i.id} has a fix`);
      assert.match(r.out, /FAIL {2}A kill switch exercised in the last 30 days/);
      assert.match(r.out, /fix: set audit\.witnessUrl \(or audit\.witnessFile\)/);
    } finally {
      await t.close();
    }
  });

  it('after the fixes: every item passes and the CLI exits 0', async () => {
    const otlp = await collector();
    const t = await startTestGatehouse({
      config: {
        telemetry: { otlp: { endpoint: otlp.url } },
        audit: { witnessFile: 'witness.jsonl' },
        doctor: { backups: 'restic of GATEHOUSE_HOME nightly (test)', tlsTerminatedBy: 'ingress (test)' },
      },
    });
    try {
      assert.equal((await t.cli(['alerts', 'apply', repoPath('examples', 'alerts')])).code, 0);
      assert.equal((await t.cli(['kill', 'app', 'faq-bot', '--reason', 'drill'])).code, 0);
      assert.equal((await t.cli(['unkill', 'app', 'faq-bot', '--reason', 'drill over'])).code, 0);
      // transcript-insights waits on reviewers: each required role signs
      const pending = JSON.parse((await t.cli(['approvals', 'list', '--state', 'pending', '--json'])).out) as {
        items: { id: string }[];
      };
      // an admin signs with an expiring token (a never-expiring one is itself a fail)
      const root = (await t.api('POST', '/api/v1/tokens', { user: 'root', ttl: '1h' })).body.token as string;
      const signers = [await t.tokenFor('dana'), await t.tokenFor('sam'), await t.tokenFor('lee'), root];
      for (const a of pending.items) for (const token of signers) await t.cli(['approvals', 'approve', a.id], token);
      await t.cli(['app', 'release', 'transcript-insights']);
      const rep = await report(t, { 'x-forwarded-proto': 'https' });
      assert.deepEqual(
        rep.items.filter((i) => i.status !== 'pass').map((i) => `${i.id}: ${i.why}`),
        [],
      );
      assert.equal(rep.summary.score, 100);
      const r = await t.cli(['doctor']);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /WARN {2}TLS in front/, 'the CLI did not come through the TLS proxy: a warn, not a fail');
    } finally {
      await t.close();
      otlp.server.close();
    }
  });

  it('hostile: a witness holding a checkpoint this log did not sign fails the audit item', async () => {
    const other = await startTestGatehouse();
    const forged = (await other.api('GET', '/api/v1/audit/checkpoint')).body.checkpoint as string;
    await other.close();
    const t = await startTestGatehouse({ config: { audit: { witnessFile: 'witness.jsonl' } } });
    try {
      appendFileSync(join(t.home, 'witness.jsonl'), JSON.stringify({ checkpoint: forged }) + '\n');
      const audit = (await report(t)).items.find((i) => i.id === 'audit')!;
      assert.equal(audit.status, 'fail');
      assert.match(audit.why, /does NOT extend/);
    } finally {
      await t.close();
    }
  });

  it('hostile: an admin token minted without expiry fails; one with a ttl does not', async () => {
    const t = await startTestGatehouse();
    try {
      await t.api('POST', '/api/v1/tokens', { user: 'root', ttl: '1d' });
      assert.equal(statusOf(await report(t))['admin-tokens'], 'pass');
      const forever = (await t.api('POST', '/api/v1/tokens', { user: 'root', ttl: 'never' })).body.tokenId as string;
      const item = (await report(t)).items.find((i) => i.id === 'admin-tokens')!;
      assert.equal(item.status, 'fail');
      assert.ok(item.why.includes(forever));
      assert.equal((await t.api('GET', '/api/v1/doctor', undefined, await t.tokenFor('alice'))).status, 403);
    } finally {
      await t.close();
    }
  });
});
