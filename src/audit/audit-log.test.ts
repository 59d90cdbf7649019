// Audit log contract suite on SQLite and PostgreSQL: group commit, signed checkpoints, proofs, restart, key files.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';
import type { SqlDb } from '../store/sql-db.js';
import { auditMigrations } from './audit-migrations.js';
import { AuditLog } from './audit-log.js';
import { decodeEntry } from './event.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from './merkle.js';
import { openCheckpoint, parseVerifierKey } from './note.js';
import { verifyLog } from './verify.js';

for (const t of testDatabases) {
  describe(`audit log (${t.name})`, () => {
    let db: SqlDb;
    let home: string;
    let cleanup: () => Promise<void>;
    let log: AuditLog;
    const clock = new ManualClock();

    before(async () => {
      ({ db, home, cleanup } = await t.open(auditMigrations));
      log = await AuditLog.open({
        db,
        home,
        clock,
        logger: silentLogger,
        config: { maxBatch: 64, witnessFile: 'witness.jsonl' },
      });
    });
    after(async () => {
      await log.close();
      await cleanup();
    });

    it('assigns dense indexes to concurrent appends and covers each batch with a signed checkpoint', async () => {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          log.append({
            type: 'decision',
            actor: `user${i % 7}`,
            app: i % 2 ? 'notes' : 'crm',
            appVersion: 3,
            ids: { decisionId: `dec_${i}` },
            data: { effect: 'allow', n: i },
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.index).sort((a, b) => a - b),
        Array.from({ length: 300 }, (_, i) => i),
      );
      const cp = await log.latestCheckpoint();
      assert.equal(cp?.size, 300);
      const key = parseVerifierKey(log.verifierKey);
      assert.equal(openCheckpoint(cp!.note, key).size, 300);
      // More than one batch (maxBatch 64), each with its own checkpoint.
      assert.ok((await log.checkpoints(0, 100)).length >= 5);
      const e = await log.entry(results[17].index);
      const env = decodeEntry(e.leaf);
      assert.equal(env.seq, results[17].index);
      assert.equal(env.ids.decisionId, 'dec_17');
      assert.equal(env.time, '2026-01-01T00:00:00.000Z');
    });

    it('serves inclusion and consistency proofs that verify against signed roots', async () => {
      const key = parseVerifierKey(log.verifierKey);
      const cps = await log.checkpoints(0, 1000);
      const latest = openCheckpoint(cps[cps.length - 1].note, key);
      for (const index of [0, 1, 63, 64, 150, 299]) {
        const p = await log.inclusionProof(index, latest.size);
        const e = await log.entry(index);
        verifyInclusion(index, latest.size, hashLeaf(e.leaf), p.inclusionPath, latest.root);
        assert.throws(() =>
          verifyInclusion(index, latest.size, hashLeaf(Buffer.from('other')), p.inclusionPath, latest.root),
        );
      }
      for (const c of cps.slice(0, -1)) {
        const old = openCheckpoint(c.note, key);
        verifyConsistency(
          old.size,
          latest.size,
          await log.consistencyProof(old.size, latest.size),
          old.root,
          latest.root,
        );
      }
      await assert.rejects(log.inclusionProof(300, 300), InvalidInputError);
      await assert.rejects(log.inclusionProof(0, 301), InvalidInputError);
      await assert.rejects(log.consistencyProof(0, 10), InvalidInputError);
    });

    it('filters entries by app and type prefix, and rejects malformed events', async () => {
      await log.append({
        type: 'approval.granted',
        actor: 'alice',
        app: 'crm',
        ids: { approvalId: 'apr_1' },
        data: { note: log.hashSensitive('secret prompt') },
      });
      const rows = await log.entries({ type: 'approval', limit: 10 });
      assert.equal(rows.length, 1);
      assert.match(String(decodeEntry(rows[0].leaf).data.note), /^hmac-sha256:[0-9a-f]{64}$/);
      assert.ok(!rows[0].leaf.toString().includes('secret prompt'));
      assert.equal((await log.entries({ app: 'crm', type: 'decision', limit: 1000 })).length, 150);
      // Index order both ways within the limit (the type-only read merges the type and its children).
      const first = await log.entries({ type: 'decision', limit: 3 });
      const last = await log.entries({ type: 'decision', limit: 3, newest: true });
      assert.ok(first[0].index < first[1].index && first[1].index < first[2].index);
      assert.ok(last[0].index > last[1].index && last[0].index > first[2].index);
      assert.equal((await log.entries({ type: 'kill.set', limit: 10 })).length, 0);
      assert.equal((await log.entries({ type: 'approval.granted', limit: 10 })).length, 1);
      await assert.rejects(log.append({ type: 'Bad Type', actor: 'x', data: {} }), InvalidInputError);
      await assert.rejects(log.append({ type: 'x', actor: '', data: {} }), /actor/);
      await assert.rejects(log.append({ type: 'x', actor: 'a', data: { n: Number.NaN } }), InvalidInputError);
      assert.equal((await log.latestCheckpoint())?.size, 301);
    });

    it('resumes after a restart with the same key, and a full verification passes', async () => {
      await log.close();
      log = await AuditLog.open({
        db,
        home,
        clock,
        logger: silentLogger,
        config: { maxBatch: 64, witnessFile: 'witness.jsonl' },
      });
      assert.equal(log.size, 301);
      assert.equal((await log.append({ type: 'kill.set', actor: 'sec', data: {} })).index, 301);
      const report = await verifyLog(log.asSource(), parseVerifierKey(log.verifierKey));
      assert.equal(report.problem, undefined);
      assert.deepEqual([report.ok, report.size, report.entriesChecked], [true, 302, 302]);
      assert.equal(statSync(join(home, 'audit-signing-key.pem')).mode & 0o777, 0o600);
      const witness = readFileSync(join(home, 'witness.jsonl'), 'utf8').trim().split('\n');
      assert.ok(witness.length >= 6);
      assert.equal(
        openCheckpoint(
          (JSON.parse(witness[witness.length - 1]) as { checkpoint: string }).checkpoint,
          parseVerifierKey(log.verifierKey),
        ).size,
        302,
      );
    });

    it('two writers on one store (replicas) interleave without losing or duplicating an index', async () => {
      const other = await AuditLog.open({ db, home, clock, logger: silentLogger, config: { maxBatch: 7 } });
      const a = Array.from({ length: 40 }, (_, i) => log.append({ type: 'replica.a', actor: 'a', data: { i } }));
      const b = Array.from({ length: 40 }, (_, i) => other.append({ type: 'replica.b', actor: 'b', data: { i } }));
      const got = (await Promise.all([...a, ...b])).map((r) => r.index).sort((x, y) => x - y);
      assert.deepEqual(
        got,
        Array.from({ length: 80 }, (_, i) => 302 + i),
      );
      await other.close();
      const report = await verifyLog(log.asSource(), parseVerifierKey(log.verifierKey));
      assert.deepEqual([report.ok, report.size, report.problem], [true, 382, undefined]);
    });
  });
}
