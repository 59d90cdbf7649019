// gateway.auditDurability: sync — a call's response completes only once its audit entry (and cost row) is stored,
// and an entry that cannot be stored withholds the answer (503, or a broken stream), never a 200 without a record.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../audit/audit-log.js';
import { auditMigrations } from '../audit/audit-migrations.js';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { testDatabases } from '../testing/databases.js';
import { CallRecorder, type CallFacts } from './call-records.js';
import { CostLedger } from './cost-ledger.js';
import { gatewayMigrations } from './gateway-migrations.js';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

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
  outputFindings: {},
  outcome: 'ok',
  t0: 0,
  upstreamMs: 1,
  calledUpstream: true,
});

for (const t of testDatabases) {
  describe(`gateway call records, sync durability (${t.name})`, () => {
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
  });
}

describe('gateway auditDurability: sync, through HTTP', () => {
  let h: Harness;
  let key: string;
  let hold: Promise<void> | undefined;
  let fail = false;
  let pending = 0;
  before(async () => {
    h = await startHarness({
      config: { auditDurability: 'sync', auditBatchMs: 1000 },
      beforeAudit: async () => {
        pending++;
        try {
          await hold;
          if (fail) throw new Error('disk full');
        } finally {
          pending--;
        }
      },
    });
    h.apps.put(appVersion('dur', { models: [{ id: 'gpt-small' }] }));
    key = await h.key('dur');
  });
  after(() => h.close());
  beforeEach(() => {
    hold = undefined;
    fail = false;
  });
  const call = (stream: boolean) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-small', stream, messages: [{ role: 'user', content: 'hello there' }] }),
    });

  it('does not answer while the entry is not stored, and answers once it is', async () => {
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const before = h.audit.length;
    let answered = false;
    const res = call(false).then((r) => ((answered = true), r));
    while (pending === 0) await new Promise((r) => setTimeout(r, 5));
    // The entry is being written; the response cannot have been sent (it waits on this very promise).
    assert.equal(answered, false);
    release();
    const r = await res;
    assert.equal(r.status, 200);
    assert.equal(h.audit.length, before + 1);
    assert.equal(h.audit.at(-1)?.data.outcome, 'ok');
  });

  it('withholds a JSON answer whose entry cannot be stored: 503, never a 200', async () => {
    fail = true;
    const r = await call(false);
    assert.equal(r.status, 503);
    const body = (await r.json()) as { error: { code: string; message: string } };
    assert.match(body.error.message, /audit entry durable/);
  });

  it('breaks a stream whose entry cannot be stored: the response never completes', async () => {
    fail = true;
    const r = await call(true);
    assert.equal(r.status, 200, 'headers go out before the answer is known');
    await assert.rejects(r.text(), 'the body ends in an error, not a clean end of stream');
  });

  it('a stream that is recorded ends cleanly with [DONE]', async () => {
    const before = h.audit.length;
    const r = await call(true);
    const text = await r.text();
    assert.match(text, /\[DONE\]/);
    assert.equal(h.audit.length, before + 1);
  });
});
