// Gateway call records batch on a short window: calls never wait for their audit entry, so entries of calls spread
// over a few milliseconds are handed to the audit log together and share one transaction (one fsync) and one signed
// checkpoint, and the log stays verifiable. With the window off, each call's entry is appended at once. With
// auditDurability sync, record() resolves only once the entry is committed and the cost row stored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../audit/audit-log.js';
import { auditMigrations } from '../audit/audit-migrations.js';
import { parseVerifierKey } from '../audit/note.js';
import { verifyLog } from '../audit/verify.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';
import { CallRecorder, type CallFacts } from './call-records.js';
import { CostLedger } from './cost-ledger.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { appVersion } from './testing/gateway-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const caller = { app: 'bot', version: appVersion('bot', { models: [{ id: 'gpt' }] }), user: 'alice', via: 'key_1' };
const facts = (i: number): CallFacts => ({
  caller,
  requestedModel: 'gpt',
  model: 'gpt',
  decisionId: `dec_${i}`,
  stream: false,
  cached: false,
  tokensIn: 10,
  tokensOut: 5,
  costNanos: 100,
  promptFindings: {},
  outputFindings: { US_SSN: 1 },
  outcome: 'ok',
  t0: 0,
  upstreamMs: 1,
  calledUpstream: true,
});

for (const t of testDatabases) {
  describe(`gateway call records, audit batching (${t.name})`, () => {
    it('entries of calls spread over the window share one checkpoint; without a window each gets its own', async () => {
      const { db, home, cleanup } = await t.open([...auditMigrations, ...gatewayMigrations]);
      const clock = new ManualClock();
      const log = await AuditLog.open({ db, home, clock, logger: silentLogger });
      const ledger = new CostLedger(db, silentLogger);
      try {
        // A window far longer than the test, so only the explicit flush below can close it (no timing dependence).
        const batched = new CallRecorder(log, { emit: () => {} }, ledger, silentLogger, () => clock.now(), 60_000);
        for (let i = 0; i < 5; i++) {
          batched.record(facts(i));
          await sleep(5); // several event-loop turns apart: the log's own group commit alone would commit each apart
        }
        assert.equal(log.size, 0, 'nothing handed over before the window closes');
        batched.flushAudit();
        await log.flush();
        assert.equal(log.size, 5);
        assert.equal((await log.checkpoints(0, 100)).length, 1, 'one transaction and checkpoint for the five calls');
        const first = await log.entry(0);
        assert.equal(first.type, 'model.invocation');

        const immediate = new CallRecorder(log, { emit: () => {} }, ledger, silentLogger, () => clock.now(), 0);
        for (let i = 5; i < 8; i++) {
          immediate.record(facts(i));
          await sleep(5);
          // Each call's entry goes to the log at once; waiting for it keeps a slow commit from merging the next one.
          await log.flush();
        }
        assert.equal((await log.checkpoints(0, 100)).length, 1 + 3);
        const report = await verifyLog(log.asSource(), parseVerifierKey(log.verifierKey));
        assert.equal(report.ok, true);
        assert.equal(report.size, 8);
      } finally {
        await ledger.close();
        await log.close();
        await cleanup();
      }
    });

    it('record() resolves only once the audit entry is committed and the cost row stored', async () => {
      const { db, home, cleanup } = await t.open([...auditMigrations, ...gatewayMigrations]);
      const clock = new ManualClock();
      const log = await AuditLog.open({ db, home, clock, logger: silentLogger });
      const ledger = new CostLedger(db, silentLogger, 60_000);
      try {
        // A batch window far longer than the test: sync mode must not wait for it.
        const rec = new CallRecorder(log, { emit: () => {} }, ledger, silentLogger, () => clock.now(), 60_000, 'sync');
        await Promise.all([rec.record(facts(1)), rec.record(facts(2))]);
        assert.equal(log.size, 2, 'both entries committed and covered by a checkpoint');
        const rows = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM gateway_costs');
        assert.equal(Number(rows[0].n), 2, 'the cost rows budgets restart from are stored too');
      } finally {
        await ledger.close();
        await log.close();
        await cleanup();
      }
    });

    it('hands queued entries over when the window timer fires, without any flush call', async () => {
      const { db, home, cleanup } = await t.open([...auditMigrations, ...gatewayMigrations]);
      const clock = new ManualClock();
      const log = await AuditLog.open({ db, home, clock, logger: silentLogger });
      const ledger = new CostLedger(db, silentLogger);
      try {
        const batched = new CallRecorder(log, { emit: () => {} }, ledger, silentLogger, () => clock.now(), 20);
        batched.record(facts(1));
        batched.record(facts(2));
        for (let i = 0; i < 500 && log.size < 2; i++) await sleep(10);
        assert.equal(log.size, 2);
      } finally {
        await ledger.close();
        await log.close();
        await cleanup();
      }
    });
  });
}
