// Full verification through worker threads and small pages: every page boundary case (holes at a page's tail,
// trusted checkpoints inside a page, truncation, swaps) names the same first bad index as the sequential checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases, type TestDatabase } from '../testing/databases.js';
import { auditMigrations } from './audit-migrations.js';
import { AuditLog } from './audit-log.js';
import { PINNED_CHECKPOINT_FILE } from './checkpoint-pin.js';
import { CompactRange, hashLeaf } from './merkle.js';
import { parseVerifierKey } from './note.js';
import { verifyLog, type LogSource, type TrustedCheckpoint, type VerifyOptions, type VerifyReport } from './verify.js';

interface Mode {
  name: string;
  /** Let workers read the SQLite file themselves (else the calling thread reads through the store and packs pages). */
  direct: boolean;
  options: VerifyOptions;
}

const modes: Mode[] = [
  { name: 'workers reading pages of 8', direct: true, options: { workers: 2, pageSize: 8 } },
  { name: 'workers hashing fetched pages of 8', direct: false, options: { workers: 2, pageSize: 8 } },
  { name: 'inline, pages of 16', direct: true, options: { workers: 0, pageSize: 16 } },
];

async function setup(t: TestDatabase, mode: Mode) {
  const { db, home, cleanup } = await t.open(auditMigrations);
  const open = () =>
    AuditLog.open({ db, home, clock: new ManualClock(), logger: silentLogger, config: { maxBatch: 8 } });
  let log = await open();
  const fill = async (tag: string) => {
    for (let i = 0; i < 40; i += 8)
      await Promise.all(
        Array.from({ length: 8 }, (_, j) => log.append({ type: 'decision', actor: 'al', data: { tag, n: i + j } })),
      );
  };
  await fill('a');
  const source = (): LogSource => {
    const s = log.asSource();
    if (t.name === 'sqlite' && mode.direct) assert.ok(s.sqliteFile, 'the SQLite source names its file');
    return mode.direct ? s : { ...s, sqliteFile: undefined };
  };
  return {
    get log() {
      return log;
    },
    fill,
    verify: (trusted: TrustedCheckpoint[] = []): Promise<VerifyReport> =>
      verifyLog(source(), parseVerifierKey(log.verifierKey), trusted, mode.options),
    async tamper(sql: string, params: unknown[] = []) {
      if (t.name !== 'sqlite') return void (await db.run(sql, params));
      const raw = new Database(join(home, 'gatehouse.db'));
      try {
        raw.prepare(sql).run(...params);
      } finally {
        raw.close();
      }
    },
    async reopen() {
      await log.close();
      log = await open();
    },
    /** An attacker with access to GATEHOUSE_HOME too: the server's pinned checkpoint goes with the database. */
    async dropPin() {
      await log.flush();
      rmSync(join(home, PINNED_CHECKPOINT_FILE), { force: true });
    },
    async note(size: number) {
      return (await log.checkpointAt(size))!.note;
    },
    done: async () => {
      await log.close();
      await cleanup();
    },
  };
}

function expectProblem(r: VerifyReport, index: number, re: RegExp): void {
  assert.equal(r.ok, false, 'tampering went undetected');
  assert.equal(r.problem?.index, index, r.problem?.message);
  assert.match(r.problem!.message, re);
}

for (const t of testDatabases) {
  for (const mode of modes.filter((m) => t.name === 'sqlite' || !m.direct)) {
    describe(`full verification, ${mode.name} (${t.name})`, () => {
      it('recomputes the signed root and roots of trusted checkpoints inside and at the end of pages', async () => {
        const f = await setup(t, mode);
        const leaves = (await f.log.entries({ limit: 100 })).map((e) => hashLeaf(e.leaf));
        const expected = new CompactRange();
        leaves.forEach((h) => expected.append(h));
        const r = await f.verify([
          { label: 'a', note: await f.note(24) },
          { label: 'b', note: await f.note(40) },
        ]);
        assert.deepEqual(
          [r.ok, r.entriesChecked, r.trustedChecked, r.rootHash],
          [true, 40, 2, expected.root().toString('base64')],
        );
        await f.done();
      });

      it('names rows deleted at the tail of a page, and a truncated log', async () => {
        const f = await setup(t, mode);
        await f.tamper('DELETE FROM audit_entries WHERE idx IN (14, 15)');
        expectProblem(await f.verify(), 14, /entry 14 is missing \(deleted\); the next stored entry is 16/);
        await f.tamper('DELETE FROM audit_entries WHERE idx >= 14');
        expectProblem(await f.verify(), 14, /covers 40 entries but only 14 are stored/);
        await f.done();
      });

      if (t.name === 'sqlite') {
        it('is not fooled by a row moved to a fractional index (SQLite keeps any number in a BIGINT column)', async () => {
          const f = await setup(t, mode);
          await f.tamper('UPDATE audit_entries SET idx = 4.5 WHERE idx = 4');
          expectProblem(await f.verify(), 4, /entry 4 is missing \(deleted\); the next stored entry is 4\.5/);
          await f.done();
        });
      }

      it('names swapped rows, a flipped byte, and entries no checkpoint covers', async () => {
        const f = await setup(t, mode);
        const [a, b] = [await f.log.entry(6), await f.log.entry(9)];
        await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [b.leaf, b.leafHash, 6]);
        await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [a.leaf, a.leafHash, 9]);
        expectProblem(await f.verify(), 6, /entry at index 6 says it is entry 9/);
        await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [a.leaf, a.leafHash, 6]);
        const flipped = Buffer.from(b.leaf);
        flipped[20] ^= 1;
        await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [flipped, b.leafHash, 9]);
        expectProblem(await f.verify(), 9, /entry 9 does not match its recorded leaf hash/);
        await f.tamper('UPDATE audit_entries SET leaf = ? WHERE idx = ?', [b.leaf, 9]);
        assert.equal((await f.verify()).ok, true);
        await f.tamper('DELETE FROM audit_checkpoints WHERE size > ?', [24]);
        await f.reopen();
        expectProblem(await f.verify(), 24, /entry 24 is not covered by the latest signed checkpoint \(size 24\)/);
        await f.done();
      });

      it('catches a rewritten history of the same size against a checkpoint saved inside a page', async () => {
        const f = await setup(t, mode);
        const saved = await f.note(24);
        for (const table of ['audit_entries', 'audit_checkpoints']) await f.tamper(`DELETE FROM ${table}`);
        await f.dropPin();
        await f.reopen();
        await f.fill('b');
        assert.equal((await f.verify()).ok, true);
        expectProblem(
          await f.verify([{ label: 'saved', note: saved }]),
          23,
          /saved \(size 24\) does not match the log's first 24 entries/,
        );
        await f.done();
      });
    });
  }
}
