// Contract suite on SQLite and PostgreSQL: revisions, activations, decision log (batched, masked, queryable), apply and simulate.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.js';
import type { GovernanceRequest } from '../core/governance.js';
import { silentLogger } from '../core/logger.js';
import type { AuditEventInput } from '../core/sinks.js';
import { MemoryCoordination } from '../coord/memory-coordination.js';
import { testDatabases } from '../testing/databases.js';
import type { SqlDb } from '../store/sql-db.js';
import { DEFAULT_COST_LIMITS } from './cel-env.js';
import { DecisionLog, MASK } from './decision-log.js';
import { policyMigrations } from './policy-migrations.js';
import { PolicyService } from './policy-service.js';
import { PolicyStore } from './policy-store.js';
import { formatSimulation } from './simulate.js';

const lenient = `apiVersion: gatehouse/v1
kind: Policy
metadata: { name: cap_tokens }
spec:
  match: { actions: [model.invoke] }
  effect: limit
  parameters: { maxInputTokens: 4096 }
`;
const strict =
  lenient.replace('4096', '1000') +
  `---
apiVersion: gatehouse/v1
kind: Policy
metadata: { name: no_high_risk }
spec:
  match: { actions: [model.invoke] }
  condition: has(resource.risk) && resource.risk == "high"
  effect: deny
  message: "model {{resource.id}} is high risk"
`;
const failingTest = `apiVersion: gatehouse/v1
kind: PolicyTest
metadata: { name: expects-deny }
spec:
  input: { action: model.invoke, subject: { user: a }, resource: { type: model, id: m } }
  expect: { effect: deny }
`;

function req(app: string, model: string, tokens: number, risk = 'low'): GovernanceRequest {
  return {
    action: 'model.invoke',
    subject: { user: 'alice', roles: ['creator'], groups: [], app },
    resource: { type: 'model', id: model, attributes: { risk } },
    request: { inputTokens: tokens, prompt: 'my ssn is 123-45-6789', extra: { Password: 'hunter2' } },
    app: {
      name: app,
      version: 1,
      owner: 'alice',
      environment: 'dev',
      region: 'eu',
      state: 'approved',
      models: [model],
      datasets: [],
      connectors: [],
      egress: [],
      spec: {},
    },
  };
}

for (const t of testDatabases) {
  describe(`policy store and service (${t.name})`, () => {
    let db: SqlDb;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let service: PolicyService;
    let log: DecisionLog;
    let store: PolicyStore;
    const audit: AuditEventInput[] = [];
    const coord = new MemoryCoordination(new ManualClock());

    before(async () => {
      ({ db, cleanup } = await t.open(policyMigrations));
      clock = new ManualClock();
      store = new PolicyStore(db);
      log = new DecisionLog(db, silentLogger, { flushIntervalMs: 10_000, batchSize: 3 });
      service = new PolicyService({
        store,
        decisionLog: log,
        clock,
        logger: silentLogger,
        limits: DEFAULT_COST_LIMITS,
        coord,
        audit: {
          append: async (e) => {
            audit.push(e);
            return { index: audit.length - 1 };
          },
        },
      });
      await service.init();
    });
    after(async () => {
      await service.close();
      await log.close();
      await cleanup();
    });

    it('starts with no active revision and allows in-scope requests', async () => {
      assert.equal(await store.activeRevision(), undefined);
      assert.equal(service.decide(req('bot', 'm', 5000)).effect, 'allow');
    });

    it('applies a bundle atomically: stores the revision, activates it, audits the activation', async () => {
      const r = await service.apply([{ path: 'lenient.yaml', content: lenient }], 'sec');
      assert.equal(r.activated, true);
      assert.equal(r.previous, null);
      assert.equal(await store.activeRevision(), r.revision);
      assert.equal(service.decide(req('bot', 'm', 5000)).effect, 'deny');
      assert.equal(audit.at(-1)?.type, 'policy.activated');
      assert.equal(audit.at(-1)?.data.revision, r.revision);
      const again = await service.apply([{ path: 'other-name.yaml', content: lenient }], 'sec');
      assert.deepEqual([again.revision, again.activated], [r.revision, false]);
    });

    it('refuses a bundle whose tests fail or whose CEL does not type-check, and keeps the active one', async () => {
      const active = await store.activeRevision();
      await assert.rejects(
        service.apply([{ path: 's.yaml', content: strict + '---\n' + failingTest }], 'sec'),
        (e: unknown) => e instanceof InvalidInputError && /policy tests fail/.test(e.message),
      );
      await assert.rejects(
        service.apply([{ path: 'x.yaml', content: strict.replace('resource.risk ==', 'resource.rsk ==') }], 'sec'),
        (e: unknown) => e instanceof InvalidInputError && /x.yaml:\d+:\d+/.test(e.details[0].path ?? ''),
      );
      assert.equal(await store.activeRevision(), active);
      assert.equal((await store.listRevisions()).length, 1);
    });

    it('records decisions in batches with sensitive request fields masked, and queries them', async () => {
      for (const [app, tokens] of [
        ['bot', 100],
        ['bot', 200],
        ['crm', 300],
        ['crm', 9000],
      ] as const) {
        const r = req(app, 'm', tokens);
        log.record(service.decide(r), r);
        clock.advance(1000);
      }
      await log.flush();
      const all = await log.query({});
      assert.equal(all.length, 4);
      assert.equal(all[0].input.request.prompt, MASK);
      assert.equal((all[0].input.request.extra as Record<string, unknown>).Password, MASK);
      assert.equal(all[0].input.request.inputTokens, 9000);
      assert.equal((await log.query({ app: 'crm' })).length, 2);
      assert.deepEqual(
        (await log.query({ effect: 'deny' })).map((d) => d.input.request.inputTokens),
        [9000],
      );
      assert.equal((await log.query({ since: Date.parse('2026-01-01T00:00:02Z') })).length, 2);
      assert.equal((await log.query({ action: 'data.query' })).length, 0);
      const one = await log.get(all[1].id);
      assert.equal(one?.bundleRevision, await store.activeRevision());
    });

    it('simulates a stricter candidate against recorded decisions, grouped by app and policy', async () => {
      const high = req('crm', 'big', 50, 'high');
      log.record(service.decide(high), high);
      const report = await service.simulate([{ path: 'strict.yaml', content: strict }], 0);
      assert.equal(report.replayed, 5);
      assert.equal(report.changed, 5, 'the token limit tightens on every recorded call');
      assert.equal(report.effectChanged, 1, 'only the high-risk model flips; the 9000-token call was already denied');
      assert.deepEqual(
        report.byApp.map((a) => [a.app, a.changed]),
        [
          ['crm', 3],
          ['bot', 2],
        ],
      );
      assert.deepEqual(
        report.byPolicy.map((p) => [p.policy, p.changed]),
        [
          ['cap_tokens', 4],
          ['no_high_risk', 1],
        ],
      );
      const flipped = report.changes.filter((c) => c.before.effect !== c.after.effect);
      assert.deepEqual(flipped.map((c) => [c.resource.id, c.before.effect, c.after.effect]).sort(), [
        ['big', 'allow', 'deny'],
      ]);
      assert.equal(flipped[0].after.reason, 'model big is high risk');
      assert.deepEqual(report.transitions, [{ from: 'allow', to: 'deny', count: 1 }]);
    });

    it('lists only the sample asked for while the counts still cover every replayed decision', async () => {
      const full = await service.simulate([{ path: 'strict.yaml', content: strict }], 0);
      const short = await service.simulate([{ path: 'strict.yaml', content: strict }], 0, undefined, {
        maxChanges: 2,
        maxApps: 1,
      });
      assert.equal(full.changes.length, full.changed, 'by default every change (up to 500) is listed');
      assert.ok(full.changed > 2 && full.appsChanged === 2);
      assert.deepEqual(
        short.changes.map((c) => c.decisionId),
        full.changes.slice(0, 2).map((c) => c.decisionId),
        'the newest changes',
      );
      assert.deepEqual(short.byApp, full.byApp.slice(0, 1), 'the most changed app');
      assert.equal(short.appsChanged, 2);
      for (const k of ['replayed', 'changed', 'effectChanged', 'byPolicy', 'transitions'] as const)
        assert.deepEqual(short[k], full[k], k);
      const none = await service.simulate([{ path: 'strict.yaml', content: strict }], 0, undefined, {
        maxChanges: 0,
      });
      assert.deepEqual(none.changes, []);
      assert.equal(none.changed, full.changed);
      assert.match(formatSimulation(short), /\.\.\. 1 more apps/);
    });

    it('re-activates an old revision and records every activation', async () => {
      const first = await store.activeRevision();
      const second = await service.apply([{ path: 'strict.yaml', content: strict }], 'sec');
      assert.equal(second.previous, first);
      assert.equal(service.decide(req('bot', 'm', 2000)).effect, 'deny');
      await service.activate(first!, 'ops');
      assert.equal(service.decide(req('bot', 'm', 2000)).effect, 'allow');
      await assert.rejects(service.activate(first!, 'ops'), ConflictError);
      await assert.rejects(service.activate('0000000000000000', 'ops'), NotFoundError);
      const acts = await store.activations();
      assert.deepEqual(
        acts.map((a) => [a.revision, a.activatedBy]),
        [
          [first, 'ops'],
          [second.revision, 'sec'],
          [first, 'sec'],
        ],
      );
      const revs = await store.listRevisions();
      assert.equal(revs.filter((r) => r.active).length, 1);
      assert.equal((await store.getRevision(second.revision)).files[0].content, strict);
    });

    it('fails closed when the stored active revision no longer compiles', async () => {
      await db.run('UPDATE policy_revisions SET files = ? WHERE revision = ?', [
        JSON.stringify([{ path: 'x', content: 'kind: Nope' }]),
        await store.activeRevision(),
      ]);
      await service.reload();
      const d = service.decide(req('bot', 'm', 1));
      assert.equal(d.effect, 'deny');
      assert.match(d.reason, /failed to load/);
    });
  });
}
