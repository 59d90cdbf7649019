// Snapshots (evidence, content hash in the real audit log, inclusion proofs) and rollback to the last known-good version.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppManifest, AppVersion, LifecycleState } from '../apps/manifest-schema.js';
import { Lifecycle } from '../apps/lifecycle.js';
import { AuditLog } from '../audit/audit-log.js';
import { auditMigrations } from '../audit/audit-migrations.js';
import { ManualClock } from '../core/clock.js';
import { ConflictError, InvalidInputError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';
import { RollbackService } from './rollback.js';
import { rolloutMigrations } from './rollout-migrations.js';
import { ForensicSnapshots } from './snapshots.js';

/** In-memory apps: versions with a state column, enough for AppReader and the Lifecycle's AppStateWriter. */
function fakeApps(states: LifecycleState[]) {
  const versions: AppVersion[] = states.map((state, i) => ({
    app: 'shop',
    version: i + 1,
    hash: `h${i + 1}`,
    manifest: { metadata: { name: 'shop' } } as unknown as AppManifest,
    code: {},
    state,
    submittedBy: 'c',
    createdAt: 0,
  }));
  return {
    versions,
    listVersions: async () => versions.map((v) => ({ ...v })),
    latestVersion: async () => versions[versions.length - 1],
    inForce: async () =>
      [...versions].reverse().find((v) => v.state === 'released') ??
      [...versions].reverse().find((v) => v.state === 'canary'),
    getState: async (_a: string, n: number) => versions.find((v) => v.version === n)?.state,
    setState: async (_a: string, n: number, from: LifecycleState, to: LifecycleState) => {
      const v = versions.find((x) => x.version === n);
      if (!v || v.state !== from) return false;
      v.state = to;
      return true;
    },
  };
}

for (const t of testDatabases) {
  describe(`snapshots and rollback: ${t.name}`, () => {
    it('takes a snapshot with events, flags and inclusion proofs, hashes it into the audit log, and rolls back to the last retired version', async () => {
      const { db, home, cleanup } = await t.open([...auditMigrations, ...rolloutMigrations]);
      const clock = new ManualClock();
      const audit = await AuditLog.open({ db, home, clock, logger: silentLogger });
      try {
        const apps = fakeApps(['retired', 'retired', 'rolled_back', 'released']);
        await audit.append({ type: 'decision', actor: 'ann', app: 'shop', data: { effect: 'allow' } });
        await audit.append({ type: 'decision', actor: 'ann', app: 'other', data: { effect: 'allow' } });
        await audit.flush();
        const snapshots = new ForensicSnapshots({
          db,
          audit,
          clock,
          sources: {
            apps,
            bundleRevision: () => 'rev-abc',
            rolloutState: (app) => ({ flags: [{ app, environment: 'prod', percentage: 30 }] }),
            recentEvents: () => [
              { kind: 'dlp.detection', time: clock.now(), app: 'shop', attrs: { entities: 'US_SSN' } },
            ],
            evidence: audit,
          },
        });
        const rb = new RollbackService({ db, apps, lifecycle: new Lifecycle(apps, audit), snapshots, audit, clock });
        const rec = await rb.rollback({
          app: 'shop',
          actor: 'sec',
          reason: 'SSNs in outputs',
          cause: 'alert:repeated-ssn-kill',
        });
        assert.deepEqual([rec.fromVersion, rec.toVersion], [4, 2], 'skips v3: rolled back for cause');
        assert.deepEqual(
          apps.versions.map((v) => v.state),
          ['retired', 'released', 'rolled_back', 'rolled_back'],
        );
        assert.equal((await apps.inForce())?.version, 2);

        const [summary] = await snapshots.list('shop');
        assert.equal(summary.id, rec.snapshotId);
        const snap = await snapshots.get(summary.id);
        assert.equal(snap.verified, true);
        assert.equal(snap.body.bundleRevision, 'rev-abc');
        assert.equal((snap.body.manifest as { version: number }).version, 4, 'manifest in force before the rollback');
        assert.equal((snap.body.events as unknown[]).length, 1);
        const ev = snap.body.audit as {
          checkpoint: { size: number };
          entries: { index: number; type: string }[];
          proofs: { index: number; inclusionPath: string[] }[];
        };
        assert.ok(ev.checkpoint.size >= 2);
        assert.ok(
          ev.entries.every((e) => e.index !== 1),
          'other apps stay out',
        );
        assert.ok(ev.proofs.some((p) => p.index === 0));
        await audit.flush();
        const logged = (await audit.entries({ app: 'shop', type: 'snapshot.taken', limit: 10 })).map(
          (e) => JSON.parse(e.leaf.toString()) as { data?: { hash?: string }; event?: { data?: { hash?: string } } },
        );
        assert.ok(JSON.stringify(logged).includes(summary.hash), 'the snapshot hash is in the audit log');
        await db.run('UPDATE rollout_snapshots SET body = ? WHERE id = ?', [
          JSON.stringify({ ...snap.body, reason: 'tampered' }),
          snap.id,
        ]);
        assert.equal(
          (await snapshots.get(snap.id)).verified,
          false,
          'a changed body no longer matches its audited hash',
        );

        await assert.rejects(rb.rollback({ app: 'shop', actor: 'sec', reason: 'again', to: 3 }), ConflictError);
        await assert.rejects(rb.rollback({ app: 'shop', actor: 'sec', reason: 'x', to: 9 }), InvalidInputError);
        clock.advance(1000);
        assert.equal((await rb.rollback({ app: 'shop', actor: 'sec', reason: 'v2 bad too' })).toVersion, 1);
        await assert.rejects(
          rb.rollback({ app: 'shop', actor: 'sec', reason: 'x' }),
          ConflictError,
          'nothing known-good is left',
        );
        assert.deepEqual(
          (await rb.history('shop')).map((r) => [r.fromVersion, r.toVersion]),
          [
            [2, 1],
            [4, 2],
          ],
        );
      } finally {
        await audit.close();
        await cleanup();
      }
    });
  });
}
