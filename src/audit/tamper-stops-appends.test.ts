// Hostile: tamper with the stored log behind a running (or restarting) server and check that recording stops with
// 503 `audit_log_damaged` (nothing more is appended on top of a damaged log), on SQLite and PostgreSQL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../core/clock.js';
import { GatehouseError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { tempDir, testDatabases, type TestDatabase } from '../testing/databases.js';
import { CountSchedule } from './audit-integrity.js';
import { auditMigrations } from './audit-migrations.js';
import { AuditLog, type AuditConfig } from './audit-log.js';
import { hashLeaf } from './merkle.js';

interface Fixture {
  readonly log: AuditLog;
  tamper(sql: string, params?: unknown[]): Promise<void>;
  reopen(): Promise<AuditLog>;
  append(n?: number): Promise<unknown>;
  count(): Promise<number>;
  /** A second writer (replica) on the same database, with its own GATEHOUSE_HOME holding copies of the keys. */
  replica(): Promise<AuditLog>;
  done(): Promise<void>;
}

async function fixture(t: TestDatabase, config: Partial<AuditConfig> = {}): Promise<Fixture> {
  const { db, home, cleanup } = await t.open(auditMigrations);
  const open = () =>
    AuditLog.open({ db, home, clock: new ManualClock(), logger: silentLogger, config: { maxBatch: 8, ...config } });
  let log = await open();
  const replicas: AuditLog[] = [];
  const append = (l: AuditLog, n: number) =>
    Promise.all(Array.from({ length: n }, (_, j) => l.append({ type: 'decision', actor: 'alice', data: { j } })));
  for (let i = 0; i < 5; i++) await append(log, 8); // 40 entries, 5 checkpoints (8, 16, ..., 40)
  return {
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
      } else await db.run(sql, params);
    },
    async reopen() {
      await log.close();
      log = await open();
      return log;
    },
    append: (n = 1) => append(log, n),
    count: async () => Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM audit_entries'))?.n),
    async replica() {
      const other = tempDir('gh-audit-replica-');
      for (const file of ['audit-signing-key.pem', 'audit-salt']) copyFileSync(join(home, file), join(other, file));
      const r = await AuditLog.open({ db, home: other, clock: new ManualClock(), logger: silentLogger });
      replicas.push(r);
      return r;
    },
    done: async () => {
      for (const r of replicas) await r.close();
      await log.close();
      await cleanup();
    },
  };
}

/** The append must fail with 503 audit_log_damaged whose message matches `re`. */
async function refused(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof GatehouseError, String(e));
    assert.equal(e.status, 503, e.message);
    assert.equal(e.code, 'audit_log_damaged', e.message);
    assert.match(e.message, re);
    return true;
  });
}

/** Appends until one is refused (the periodic check runs in the background), failing after `ms`. */
async function refusedWithin(f: Fixture, ms: number, re: RegExp): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const err = await f.append().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err) return refused(Promise.reject(err), re);
    assert.ok(Date.now() < deadline, 'appends went on for too long on a tampered log');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const flip = (b: Buffer, at: number) => {
  const c = Buffer.from(b);
  c[at] ^= 0x01;
  return c;
};

for (const t of testDatabases) {
  describe(`audit log: tampering stops appends (${t.name})`, () => {
    it('an untouched log keeps appending, across restarts, with every check on', async () => {
      const f = await fixture(t, { scrubIntervalMs: 20 });
      await f.append(20);
      await f.reopen();
      await f.append(9);
      await new Promise((r) => setTimeout(r, 100)); // a few periodic checks
      await f.append(3);
      assert.equal(f.log.size, 72);
      await f.done();
    });

    it('a row deleted in the middle stops the very next append', async () => {
      const f = await fixture(t);
      await f.tamper('DELETE FROM audit_entries WHERE idx = ?', [20]);
      await refused(f.append(), /39 entries are stored for 40|rows were deleted/);
      assert.equal(await f.count(), 39, 'nothing was appended on top');
      await f.done();
    });

    it('a log cut back to an older signed checkpoint stops the next append, and stays refused after a restart', async () => {
      const f = await fixture(t);
      await f.tamper('DELETE FROM audit_entries WHERE idx >= ?', [16]);
      await f.tamper('DELETE FROM audit_checkpoints WHERE size > ?', [16]);
      await refused(f.append(), /cut back/);
      await f.reopen();
      // The checkpoint pinned in GATEHOUSE_HOME (outside the database) remembers size 40.
      await refused(f.append(), /pinned checkpoint .*size 40/);
      assert.equal(await f.count(), 16);
      await f.done();
    });

    it('a byte flipped in a stored entry is found when the server opens the log', async () => {
      const f = await fixture(t);
      await f.tamper('UPDATE audit_entries SET leaf = ? WHERE idx = ?', [flip((await f.log.entry(13)).leaf, 40), 13]);
      await f.reopen();
      await refused(f.append(), /entry 13/);
      await f.done();
    });

    it('two rows swapped in the middle are found when the server opens the log', async () => {
      const f = await fixture(t);
      const [a, b] = [await f.log.entry(5), await f.log.entry(9)];
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [b.leaf, b.leafHash, 5]);
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [a.leaf, a.leafHash, 9]);
      await f.reopen();
      await refused(f.append(), /entry at index 5 says it is entry 9/);
      await f.done();
    });

    it('a byte flip with its leaf hash fixed up, while the server runs, is found by the periodic check', async () => {
      const f = await fixture(t, { scrubIntervalMs: 30 });
      const forged = Buffer.from((await f.log.entry(13)).leaf.toString().replace('"j":5', '"j":6'));
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [forged, hashLeaf(forged), 13]);
      await refusedWithin(f, 10_000, /stored entries no longer match|entries 8\.\.15/);
      await f.done();
    });

    it('a swap while the server runs is found by the periodic check', async () => {
      const f = await fixture(t, { scrubIntervalMs: 30 });
      const [a, b] = [await f.log.entry(5), await f.log.entry(9)];
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [b.leaf, b.leafHash, 5]);
      await f.tamper('UPDATE audit_entries SET leaf = ?, leaf_hash = ? WHERE idx = ?', [a.leaf, a.leafHash, 9]);
      await refusedWithin(f, 10_000, /entry at index 5 says it is entry 9/);
      await f.done();
    });

    it('a rewritten latest checkpoint stops the next append', async () => {
      const f = await fixture(t);
      const c = await f.log.latestCheckpoint();
      await f.tamper('UPDATE audit_checkpoints SET root = ? WHERE size = ?', [Buffer.alloc(32, 7), c!.size]);
      await refused(f.append(), /checkpoint/);
      await f.done();
    });

    it('a writer that catches up after another replica finds the history before it rewritten', async () => {
      const f = await fixture(t);
      for (const table of ['audit_entries', 'audit_checkpoints']) await f.tamper(`DELETE FROM ${table}`);
      // Another history, longer than the one this writer holds, signed with the shared key by a second writer.
      const other = await f.replica();
      await Promise.all(
        Array.from({ length: 48 }, (_, j) => other.append({ type: 'forged', actor: 'x', data: { j } })),
      );
      await refused(f.append(), /history was rewritten/);
      await f.done();
    });

    it('replicas sharing the store append in turn without a false alarm', async () => {
      const f = await fixture(t);
      const other = await f.replica();
      for (let round = 0; round < 3; round++) {
        await Promise.all([
          f.append(5),
          Promise.all(
            Array.from({ length: 5 }, (_, j) => other.append({ type: 'replica.b', actor: 'b', data: { j } })),
          ),
        ]);
      }
      await f.append();
      assert.equal(f.log.size, 71);
      await f.done();
    });

    it('stays refused on a repaired store until the server restarts, then records again', async () => {
      const f = await fixture(t);
      const row = await f.log.entry(20);
      await f.tamper('DELETE FROM audit_entries WHERE idx = ?', [20]);
      await refused(f.append(), /rows were deleted/);
      // The operator restores the row; this process stays closed until someone restarts it after checking.
      await f.tamper('INSERT INTO audit_entries (idx, leaf, leaf_hash, type, app, time) VALUES (?, ?, ?, ?, ?, ?)', [
        20,
        row.leaf,
        row.leafHash,
        row.type,
        row.app,
        row.time,
      ]);
      await refused(f.append(), /rows were deleted/);
      await f.reopen();
      await f.append();
      assert.equal(f.log.size, 41);
      await f.done();
    });
  });
}

describe('audit log: when the row count runs', () => {
  it('runs in every batch while cheap, and at most once per 100x its extra cost once it is not', () => {
    const s = new CountSchedule();
    assert.equal(s.due(0), true);
    s.record(30, 1, 0); // one slow round trip on a busy host: still counted in the next batch
    assert.equal(s.due(1), true);
    for (let i = 0; i < 20; i++) s.record(301, 1, 0); // a count that really costs 300 ms more than a lookup
    assert.equal(s.due(29_999), false);
    assert.equal(s.due(30_000), true);
  });
});
