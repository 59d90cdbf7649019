// Hot-path record writers batch on a short window: gateway calls append audit entries without waiting, so entries
// spread over a few milliseconds must share one transaction (one fsync) and one signed checkpoint, and stay verifiable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../audit/audit-log.js';
import { auditMigrations } from '../audit/audit-migrations.js';
import { parseVerifierKey } from '../audit/note.js';
import { verifyLog } from '../audit/verify.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = (i: number) => ({ type: 'model.invocation', actor: 'alice', app: 'bot', appVersion: 1, ids: { decisionId: `dec_${i}` }, data: { n: i } });

for (const t of testDatabases) {
  describe(`audit batch window (${t.name})`, () => {
    it('appends spread over the window share one checkpoint after the first; without a window each gets its own', async () => {
      const { db, home, cleanup } = await t.open(auditMigrations);
      try {
        const clock = new ManualClock();
        const windowed = await AuditLog.open({ db, home, clock, logger: silentLogger, config: { batchWindowMs: 200 } });
        const pending = [];
        for (let i = 0; i < 5; i++) {
          pending.push(windowed.append(event(i)));
          await sleep(5); // several event-loop turns apart: setImmediate alone would commit each separately
        }
        assert.deepEqual((await Promise.all(pending)).map((r) => r.index), [0, 1, 2, 3, 4]);
        // The first append commits at once (nothing committed lately); the next four wait for the window and share one.
        assert.equal((await windowed.checkpoints(0, 100)).length, 2);
        await windowed.close();

        const immediate = await AuditLog.open({ db, home, clock, logger: silentLogger });
        for (let i = 5; i < 8; i++) {
          await immediate.append(event(i));
          await sleep(5);
        }
        assert.equal((await immediate.checkpoints(0, 100)).length, 2 + 3);
        const report = await verifyLog(immediate.asSource(), parseVerifierKey(immediate.verifierKey));
        assert.equal(report.ok, true);
        assert.equal(report.size, 8);
        await immediate.close();
      } finally {
        await cleanup();
      }
    });
  });
}
