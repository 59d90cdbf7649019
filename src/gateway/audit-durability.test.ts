// gateway.auditDurability: sync — a call's response completes only once its audit entry (and cost row) is stored,
// and an entry that cannot be stored withholds the answer (503, or a broken stream), never a 200 without a record.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appVersion, startHarness, type Harness } from './testing/gateway-harness.js';

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
