// Hostile, over real HTTP: a log cut back to an older signed checkpoint fails plain `gatehouse audit verify` (no
// flags), through the checkpoint pinned in GATEHOUSE_HOME by the server or by an earlier verification.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../cli/program.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { buildApp, listen, type RunningServer } from '../http/server.js';
import type { Principal } from '../identity/principal.js';
import { testDatabases, tempDir } from '../testing/databases.js';
import { auditMigrations } from './audit-migrations.js';
import { AuditLog } from './audit-log.js';
import { auditRoutes } from './audit-routes.js';
import { PINNED_CHECKPOINT_FILE } from './checkpoint-pin.js';

const sqlite = testDatabases.find((t) => t.name === 'sqlite')!;
const principals: Record<string, Principal> = { 'auditor-token': { user: 'ann', roles: ['auditor'], groups: [] } };

describe('audit verify trusts the pinned checkpoint by default', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let log: AuditLog;
  let server: RunningServer;

  const cli = async (cliHome: string, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['audit', 'verify', ...args],
      { out: (s) => out.push(s), err: (s) => err.push(s) },
      { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: 'auditor-token', GATEHOUSE_HOME: cliHome },
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const append = async (n: number) => {
    await Promise.all(Array.from({ length: n }, (_, j) => log.append({ type: 'decision', actor: 'ann', data: { j } })));
    await log.flush(); // the server's pin is written once per event-loop turn
  };
  /** Deletes every entry from `size` on and every checkpoint past it, as someone with the database file could. */
  const cutBackTo = (size: number) => {
    const raw = new Database(join(home, 'gatehouse.db'));
    raw.prepare('DELETE FROM audit_entries WHERE idx >= ?').run(size);
    raw.prepare('DELETE FROM audit_checkpoints WHERE size > ?').run(size);
    raw.close();
  };

  before(async () => {
    let db;
    ({ db, home, cleanup } = await sqlite.open(auditMigrations));
    log = await AuditLog.open({ db, home, clock: new ManualClock(), logger: silentLogger, config: { maxBatch: 10 } });
    const app = buildApp({
      routes: auditRoutes(log),
      authenticate: async (t) => principals[t],
      maxBodyBytes: 1 << 20,
      logger: silentLogger,
      version: 'test',
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  after(async () => {
    await server.close();
    await log.close();
    await cleanup();
  });

  it('a CLI with its own home pins what it verified, moves the pin forward, and then catches a cut-back', async () => {
    const cliHome = tempDir('gh-audit-pin-cli-');
    await append(10);
    await append(10);
    const first = await cli(cliHome);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /pinned checkpoint .*audit-pinned-checkpoint, now at size 20/);
    assert.match(readFileSync(join(cliHome, PINNED_CHECKPOINT_FILE), 'utf8'), /^gatehouse\/audit\n20\n/);
    await append(10);
    const second = await cli(cliHome);
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, /the log extends the pinned checkpoint .*, now at size 30/);
    cutBackTo(20);
    const cut = await cli(cliHome);
    assert.equal(cut.code, 1, cut.out);
    assert.match(cut.err, /latest checkpoint \(size 20\) is older than pinned checkpoint .* \(size 30\)/);
    // Without the pin the cut-back log is self-consistent: that is what the pin adds.
    const unpinned = await cli(cliHome, '--no-pin');
    assert.equal(unpinned.code, 0, unpinned.err);
  });

  it("plain verify on the server's own home catches the cut-back through the pin the server wrote", async () => {
    // The server pinned size 30 before the cut-back in the previous case; nobody ran verify from its home yet.
    assert.ok(existsSync(join(home, PINNED_CHECKPOINT_FILE)));
    const r = await cli(home);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.err,
      /FAILED at index 20: the server's latest checkpoint \(size 20\) is older than pinned checkpoint/,
    );
    assert.match(r.err, /--no-pin/);
  });
});
