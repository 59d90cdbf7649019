// Hostile tests: tamper with the audit tables directly (a second SQLite connection to the file, or SQL on the
// PostgreSQL tables) and check the verifier names what is wrong and where.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases, type TestDatabase } from '../testing/databases.js';
import { AuditLogDamagedError } from './audit-integrity.js';
import { auditMigrations } from './audit-migrations.js';
import { PINNED_CHECKPOINT_FILE } from './checkpoint-pin.js';
import { AuditLog } from './audit-log.js';
import { hashLeaf } from './merkle.js';
import { parseVerifierKey } from './note.js';
import { verifyLog, type TrustedCheckpoint, type VerifyReport } from './verify.js';

interface Fixture {
  log: AuditLog;
  home: string;
  /** Runs SQL behind the log's back. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
  verify(trusted?: TrustedCheckpoint[]): Promise<VerifyReport>;
  reopen(): Promise<AuditLog>;
  note(size: number): Promise<string>;
  done(): Promise<void>;
}

async function fixture(t: TestDatabase, entries = 40, history = 'a'): Promise<Fixture> {
  const { db, home, cleanup } = await t.open(auditMigrations);
  const clock = new ManualClock();
  const open = () => AuditLog.open({ db, home, clock, logger: silentLogger, config: { maxBatch: 8 } });
  let log = await open();
  const fill = async (l: AuditLog, tag: string) => {
    for (let i = 0; i < entries; i += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, j) =>
          l.append({ type: 'decision', actor: 'alice', app: 'crm', data: { history: tag, n: i + j } }),
        ),
      );
    }
  };
  await fill(log, history);
  const f: Fixture = {
    home,
    get log() {
      return log;
    },
    async tamper(sql, params = []) {
      if (t.name === 'sqlite') {
        const raw = new Database(join(home, 'gatehouse.db'));
        try {
          raw.prepare(sql).run(...params);
        } finally {
          raw.close();
        }
      } else {
        await db.run(sql, params);
      }
    },
    verify: (trusted = []) => verifyLog(log.asSource(), parseVerifierKey(log.verifierKey), trusted),
    async reopen() {
      await log.close();
      log = await open();
      return log;
    },
    async note(size) {
      const c = await log.checkpointAt(size);
      assert.ok(c, `no checkpoint at ${size}`);
      return c.note;
    },
    done: async () => {
      await log.close();
      await cleanup();
    },
  };
  (f as Fixture & { fill: typeof fill }).fill = fill;
  return f;
}

function flipByte(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] ^= 0x01;
  return c;
}

function expectProblem(r: VerifyReport, index: number | undefined, re: RegExp): void {
  assert.equal(r.ok, false, 'tampering went undetected');
  assert.equal(r.problem?.index, index, r.problem?.message);
  assert.match(r.problem!.message, re);
}

for (const t of testDatabases) {
  describe(`audit log under attack (${t.name})`, () => {
    it('an untouched log verifies', async () => {
      const f = await fixture(t);
      const r = await f.verify([{ label: 'saved', note: await f.note(16) }]);
      assert.deepEqual([r.ok, r.entriesChecked, r.trustedChecked, r.problem], [true, 40, 1, undefined]);
      await f.done();
    });

    it('entries appended while a verify reads (a live server) are not taken for tampering', async () => {
      const f = await fixture(t);
      const stale = await f.note(40);
      await (f as Fixture & { fill(l: AuditLog, tag: string): Promise<void> }).fill(f.log, 'later');
      // The verifier read the checkpoint just before the next batch committed.
      const source = f.log.asSource();
      let first = true;
      const racing = {
        ...source,
        latestCheckpoint: async () => (first ? ((first = false), stale) : source.latestCheckpoint()),
      } as typeof source;
      const r = await verifyLog(racing, parseVerifierKey(f.log.verifierKey));
      assert.deepEqual([r.ok, r.entriesChecked, r.problem], [true, 80, undefined]);
      await f.done();
    });

    it('flipping a byte in a stored entry names the entry', async () => {
      const f = await fixture(t);
      const e = await f.log.entry(13);
      await f.tamper('UPDATE audit_entries SET leaf = ? WHERE idx = ?', [flipByte(e.leaf, 40), 13]);
      expectProblem(await f.verify(), 13, /entry 13 does not match its recorded leaf hash/);
      await f.done();
    });

    it('flipping a byte and fixing its leaf hash is localised to the batch by the stored checkpoints', async () => {
      const f = await fixture(t);
      const e = await f.log.entry(13);
      const forged = Buffer.from(e.leaf.toString().replace('"n":13', '"n":99'));
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [forged, hashLeaf(forged), 13]);
      expectProblem(await f.verify(), 8, /entries 8\.\.15 do not match the checkpoint made at size 16/);
      await f.done();
    });

    it('deleting a row names the missing index', async () => {
      const f = await fixture(t);
      await f.tamper('DELETE FROM audit_entries WHERE idx = ?', [20]);
      expectProblem(await f.verify(), 20, /entry 20 is missing/);
      await f.done();
    });

    it('swapping two rows names the first moved index', async () => {
      const f = await fixture(t);
      const [a, b] = [await f.log.entry(5), await f.log.entry(9)];
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [b.leaf, b.leafHash, 5]);
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [a.leaf, a.leafHash, 9]);
      expectProblem(await f.verify(), 5, /entry at index 5 says it is entry 9/);
      await f.done();
    });

    it('truncating the log names the first missing index', async () => {
      const f = await fixture(t);
      await f.tamper('DELETE FROM audit_entries WHERE idx >= ?', [30]);
      expectProblem(await f.verify(), 30, /covers 40 entries but only 30 are stored/);
      // After a restart the server still serves reads for auditors but refuses to record on a damaged tree.
      const log = await f.reopen();
      await assert.rejects(
        log.append({ type: 'decision', actor: 'alice', data: {} }),
        (e: unknown) => e instanceof AuditLogDamagedError && e.status === 503 && /damaged/.test(e.message),
      );
      await assert.rejects(log.inclusionProof(0, 10), AuditLogDamagedError);
      expectProblem(await f.verify(), 30, /covers 40 entries but only 30 are stored/);
      await f.done();
    });

    it('a different history of the same size, re-signed with the key, is caught by a saved checkpoint', async () => {
      const f = await fixture(t);
      const saved = await f.note(40);
      for (const table of ['audit_entries', 'audit_checkpoints']) await f.tamper(`DELETE FROM ${table}`);
      // The server itself refuses: the checkpoint it pinned in GATEHOUSE_HOME is gone from the database.
      await assert.rejects(
        (await f.reopen()).append({ type: 'decision', actor: 'alice', data: {} }),
        (e: unknown) => e instanceof AuditLogDamagedError && /pinned checkpoint .* size 40/.test(e.message),
      );
      // An attacker who can also write GATEHOUSE_HOME removes the pin and re-fills the log.
      rmSync(join(f.home, PINNED_CHECKPOINT_FILE));
      const log = await f.reopen();
      await (f as Fixture & { fill(l: AuditLog, tag: string): Promise<void> }).fill(log, 'b');
      assert.equal(log.size, 40);
      // Without an outside reference the rewrite is self-consistent; with one it is not.
      assert.equal((await f.verify()).ok, true);
      expectProblem(
        await f.verify([{ label: 'saved checkpoint', note: saved }]),
        39,
        /saved checkpoint \(size 40\) does not match the log's first 40 entries/,
      );
      await f.done();
    });

    it('replaying an old checkpoint is caught by the uncovered entries and by a newer saved checkpoint', async () => {
      const f = await fixture(t);
      const saved = await f.note(40);
      await f.tamper('DELETE FROM audit_checkpoints WHERE size > ?', [16]);
      await f.reopen();
      expectProblem(await f.verify(), 16, /entry 16 is not covered by the latest signed checkpoint \(size 16\)/);
      expectProblem(
        await f.verify([{ label: 'saved checkpoint', note: saved }]),
        16,
        /older than saved checkpoint \(size 40\)/,
      );
      // The server does not paper over it either: appending on top of the replayed checkpoint fails closed.
      await assert.rejects(f.log.append({ type: 'decision', actor: 'alice', data: {} }), AuditLogDamagedError);
      await f.done();
    });

    it('a tampered checkpoint signature or checkpoint text is rejected', async () => {
      const f = await fixture(t);
      const note = await f.note(40);
      const at = note.lastIndexOf(' ') + 30;
      const badSig = note.slice(0, at) + (note[at] === 'A' ? 'B' : 'A') + note.slice(at + 1);
      await f.tamper('UPDATE audit_checkpoints SET note = ? WHERE size = ?', [badSig, 40]);
      expectProblem(await f.verify(), undefined, /latest checkpoint rejected: signature .* is invalid/);
      const lines = note.split('\n');
      lines[2] = Buffer.alloc(32, 1).toString('base64');
      await f.tamper('UPDATE audit_checkpoints SET note = ? WHERE size = ?', [lines.join('\n'), 40]);
      expectProblem(await f.verify(), undefined, /latest checkpoint rejected: signature .* is invalid/);
      await f.done();
    });
  });
}
