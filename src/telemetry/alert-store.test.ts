// Contract suite for the alert store on SQLite and PostgreSQL: rules upsert in one transaction, firings history.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabases } from '../testing/databases.js';
import { parseAlertRules } from './alert-rule-schema.js';
import { AlertStore } from './alert-store.js';
import type { AlertFiring } from './alert-engine.js';
import { telemetryMigrations } from './telemetry-migrations.js';

const rule = (name: string, value: number) => ({
  source: name,
  value: {
    apiVersion: 'gatehouse/v1',
    kind: 'AlertRule',
    metadata: { name },
    spec: {
      match: { kind: 'egress', attrs: { outcome: 'denied' } },
      condition: { type: 'threshold', value, window: '1m' },
      actions: [{ kill: {} }],
    },
  },
});

const firing = (id: string, app: string, firedAt: number): AlertFiring => ({
  id,
  rule: 'r',
  groupBy: 'app',
  groupKey: app,
  app,
  firedAt,
  firstEventAt: firedAt - 5,
  summary: 's',
  observed: { value: 1 },
  events: [],
  actions: [],
});

for (const t of testDatabases) {
  describe(`alert store: ${t.name}`, () => {
    it('upserts rules, keeps firings newest first and filters by app and rule', async () => {
      const { db, cleanup } = await t.open(telemetryMigrations);
      try {
        const s = new AlertStore(db);
        await s.putRules(parseAlertRules([rule('a', 1), rule('b', 2)]), 'sec', 1);
        await s.putRules(parseAlertRules([rule('a', 5)]), 'ops', 2);
        const rules = await s.rules();
        assert.deepEqual(
          rules.map((r) => [r.doc.metadata.name, r.updatedBy, (r.doc.spec.condition as { value: number }).value]),
          [
            ['a', 'ops', 5],
            ['b', 'sec', 2],
          ],
        );
        await s.saveFiring(firing('f1', 'x', 10));
        await s.saveFiring(firing('f2', 'y', 20));
        const f3 = firing('f3', 'x', 30);
        await s.saveFiring(f3);
        await s.saveFiring({ ...f3, containMs: 7, auditIndex: 4 });
        assert.deepEqual(
          (await s.history({ app: 'x' })).map((f) => [f.id, f.containMs]),
          [
            ['f3', 7],
            ['f1', undefined],
          ],
        );
        assert.equal((await s.history({ limit: 1 }))[0].id, 'f3');
        assert.equal(await s.deleteRule('b'), true);
        assert.equal((await s.rules()).length, 1);
      } finally {
        await cleanup();
      }
    });
  });
}
