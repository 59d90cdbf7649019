// The replay store on SQLite and PostgreSQL: inputs are DLP-masked before they are written (the real DLP engine), each
// input's keyed hash goes to the audit log, retention and the per-app cap prune; canary policies refuse bad stages
// naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { AuditEventInput } from '../core/sinks.js';
import { createDlpEngine } from '../dlp/index.js';
import type { SqlDb } from '../store/sql-db.js';
import { testDatabases } from '../testing/databases.js';
import { canaryMigrations } from './canary-migrations.js';
import { parseCanaryPolicy } from './canary-policy.js';
import { maskLeaves, ReplayStore } from './replay-store.js';

const dlp = createDlpEngine({});
const HOUR = 3_600_000;

for (const t of testDatabases) {
  describe(`replay store (${t.name})`, () => {
    let db: SqlDb;
    let cleanup: () => Promise<void>;
    const clock = new ManualClock();
    const audited: AuditEventInput[] = [];
    let store: ReplayStore;
    before(async () => {
      ({ db, cleanup } = await t.open(canaryMigrations));
      store = new ReplayStore({
        db,
        clock,
        audit: { append: async (e) => (audited.push(e), { index: audited.length }) },
        mask: (s) => dlp.redact(s, { default: 'mask' }).text,
        hash: (s) => `h:${s.length}`,
        retentionMs: 24 * HOUR,
        maxPerApp: 3,
      });
    });
    after(async () => cleanup?.());

    it('stores inputs masked, audits their hash, and replays them oldest first', async () => {
      await store.record('app', 1, { q: 'my SSN is 536-22-8147, mail ada@analytical.org', n: 3 });
      await store.record('app', 1, { q: 'second' });
      const rows = await db.all<{ masked_input: string }>('SELECT masked_input FROM canary_replay_inputs');
      const all = JSON.stringify(rows);
      assert.ok(!all.includes('536-22-8147') && !all.includes('ada@analytical.org'), all);
      const got = (await store.sample('app', 1, 10)) as { q: string; n?: number }[];
      assert.equal(got.length, 2);
      assert.equal(got[0].n, 3, 'the JSON shape survives masking');
      assert.equal(got[1].q, 'second');
      assert.deepEqual(
        audited.map((e) => e.type),
        ['canary.input_recorded', 'canary.input_recorded'],
      );
      assert.ok(!JSON.stringify(audited).includes('536-22-8147'));
    });

    it('prunes past retention and beyond the per-app cap', async () => {
      for (let i = 0; i < 5; i++) await store.record('app', 1, { q: `more ${i}` });
      assert.deepEqual(
        ((await store.sample('app', 1, 10)) as { q: string }[]).map((x) => x.q),
        ['more 2', 'more 3', 'more 4'],
      );
      clock.advance(25 * HOUR);
      assert.deepEqual(await store.sample('app', 1, 10), []);
    });
  });
}

describe('CanaryPolicy', () => {
  it('refuses a replay stage without replay and a live stage without a valid duration, naming the field', () => {
    const doc = (stages: unknown[]) => ({
      apiVersion: 'gatehouse/v1',
      kind: 'CanaryPolicy',
      metadata: { name: 'p' },
      spec: { stages },
    });
    assert.throws(
      () => parseCanaryPolicy(doc([{ traffic: 0 }])),
      (e: unknown) => e instanceof InvalidInputError && /stages\[0\]\.replay/.test(JSON.stringify(e.details)),
    );
    assert.throws(
      () => parseCanaryPolicy(doc([{ traffic: 5, duration: 'soon' }])),
      (e: unknown) => e instanceof InvalidInputError && /stages\[0\]\.duration/.test(JSON.stringify(e.details)),
    );
    assert.throws(() => parseCanaryPolicy(doc([{ traffic: 120, duration: '1h' }])), InvalidInputError);
    assert.equal(parseCanaryPolicy(doc([{ traffic: 0, replay: 5 }])).spec.thresholds.alpha, 0.05);
  });
});

describe('maskLeaves', () => {
  it('awaits an asynchronous mask (the NER-aware engine) on every string leaf and keeps the shape', async () => {
    const input = JSON.parse('{"q":"Lindqvist","list":["a",{"b":"Lindqvist"}],"n":1,"__proto__":{"c":"Lindqvist"}}');
    const out = await maskLeaves(input, async (s) => s.replaceAll('Lindqvist', '[PERSON]'));
    assert.equal(
      JSON.stringify(out),
      '{"q":"[PERSON]","list":["a",{"b":"[PERSON]"}],"n":1,"__proto__":{"c":"[PERSON]"}}',
    );
  });
});
