// Admission + approvals contract suite on SQLite and PostgreSQL: auto-approve, routing, quorum, separation of duties, SLAs.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { Principal } from '../identity/principal.js';
import type { AppVersion } from '../apps/manifest-schema.js';
import type { NotifyEvent, Notifier } from '../notify/webhook-notifier.js';
import { testDatabases } from '../testing/databases.js';
import type { SqlDb } from '../store/sql-db.js';
import { AdmissionService } from '../admission/admission-service.js';
import {
  fakeGovernor,
  manifest,
  MemoryAudit,
  MemoryStates,
  testCatalog,
  version,
} from '../admission/testing/fixtures.js';
import { approvalMigrations } from './approval-migrations.js';
import { defaultApprovalsConfig } from './approvals-config.js';
import { ApprovalService } from './approval-service.js';
import { Lifecycle } from '../apps/lifecycle.js';
import { SlaMonitor } from './sla-monitor.js';

const who = (user: string, ...roles: Principal['roles']): Principal => ({ user, roles, groups: [] });
const carol = who('carol', 'creator');
const dora = who('dora', 'data_owner');
const sam = who('sam', 'security');
const ada = who('ada', 'admin');
const ssnScanner = {
  scan: (t: string) =>
    [...t.matchAll(/\b\d{3}-\d{2}-\d{4}\b/g)].map((m) => ({
      type: 'US_SSN',
      start: m.index!,
      end: m.index! + m[0].length,
    })),
};
const risky = () =>
  manifest({
    name: 'crm-bot',
    spec: {
      data: [{ dataset: 'customers', access: 'read', purpose: 'summarise accounts', columns: ['name', 'email'] }],
      egress: ['api.unknown-vendor.io'],
    },
  });

for (const t of testDatabases) {
  describe(`approvals on ${t.name}`, () => {
    let db: SqlDb;
    let cleanup: () => Promise<void>;
    let clock: ManualClock;
    let states: MemoryStates;
    let audit: MemoryAudit;
    let events: NotifyEvent[];
    let approvals: ApprovalService;
    let admission: AdmissionService;
    let sla: SlaMonitor;
    const versions = new Map<string, AppVersion>();
    let gov = fakeGovernor('allow');

    beforeEach(async () => {
      ({ db, cleanup } = await t.open(approvalMigrations));
      clock = new ManualClock();
      states = new MemoryStates();
      audit = new MemoryAudit();
      events = [];
      const notifier: Notifier = { notify: (e) => events.push(e), drain: async () => {} };
      approvals = new ApprovalService({
        db,
        clock,
        audit,
        notifier,
        lifecycle: new Lifecycle(states, audit),
        config: defaultApprovalsConfig,
        logger: silentLogger,
      });
      gov = fakeGovernor('allow');
      const apps = {
        getVersion: async (a: string, v: number) => versions.get(`${a}@${v}`),
        latestVersion: async () => undefined,
        inForce: async () => undefined,
        listVersions: async () => [],
      };
      admission = new AdmissionService({
        governor: gov,
        catalog: testCatalog(),
        pii: ssnScanner,
        approvals,
        apps,
        config: defaultApprovalsConfig,
      });
      sla = new SlaMonitor({
        approvals,
        clock,
        audit,
        notifier,
        logger: silentLogger,
        reminders: defaultApprovalsConfig.reminders,
        admins: () => ['ada'],
      });
    });
    afterEach(() => cleanup());

    const submit = async (
      m = risky(),
      v = 1,
      code = {
        'main.js': "export async function main(i, ctx) { return ctx.http.fetch('https://api.unknown-vendor.io/x'); }",
      },
    ) => {
      const ver = version(m, code, v);
      versions.set(`${ver.app}@${v}`, ver);
      states.put(ver.app, v, 'draft');
      return admission.admit(ver, carol);
    };

    it('auto-approves a low-risk dev app as a system approval with its factors', async () => {
      const r = await submit(manifest(), 1, {
        'main.js': 'export const main = (i, ctx) => ctx.llm.chat({ model: "small-chat" });',
      });
      assert.equal(r.risk.tier, 'low');
      assert.equal(r.state, 'approved');
      assert.equal(r.approval.state, 'approved');
      assert.equal(r.approval.auto, true);
      assert.equal(r.approval.decidedBy, 'system');
      assert.equal(await states.getState('helper', 1), 'approved');
      assert.equal(gov.calls[0].action, 'app.submit');
      assert.equal(gov.calls[0].candidate?.name, 'helper');
      assert.deepEqual(audit.types(), ['app.lifecycle', 'approval.granted']);
      assert.deepEqual(events, []);
    });

    it('routes pii + unapproved egress to data_owner and security; submitter gets 403; two approvals approve it', async () => {
      const r = await submit();
      assert.equal(r.state, 'pending_approval');
      assert.deepEqual(r.approval.requiredRoles.sort(), ['data_owner', 'security']);
      assert.ok(r.risk.factors.some((f) => f.id === 'dataset.pii:customers' && f.points === 25 && /-25/.test(f.fix)));
      assert.ok(r.risk.factors.some((f) => f.id === 'egress.unapproved:api.unknown-vendor.io'));
      assert.ok(r.risk.factors.some((f) => f.id === 'column.pii:customers.email'));
      assert.equal(r.risk.tier, 'high');
      assert.equal(r.approval.dueAt, clock.now() + 24 * 3_600_000);
      assert.equal(r.approval.minApprovals, 2);
      assert.equal(events[0].type, 'approval.requested');
      const id = r.approval.id;
      await assert.rejects(approvals.approve(id, { ...carol, roles: ['admin', 'security'] }), {
        status: 403,
        message: /separation of duties/,
      });
      await assert.rejects(approvals.approve(id, who('lena', 'legal')), { status: 403 });
      await assert.rejects(
        approvals.approve(id, who('otto', 'data_owner')),
        { status: 403 },
        'only the dataset owner fills its slot',
      );
      const one = await approvals.approve(id, dora, 'ok for names and emails');
      assert.equal(one.state, 'pending');
      assert.equal(await states.getState('crm-bot', 1), 'pending_approval');
      await assert.rejects(approvals.approve(id, dora), { status: 409 }, 'one person counts once');
      const two = await approvals.approve(id, sam);
      assert.equal(two.state, 'approved');
      assert.deepEqual(two.requirements.map((q) => q.filledBy).sort(), ['dora', 'sam']);
      assert.equal(await states.getState('crm-bot', 1), 'approved');
      await assert.rejects(approvals.approve(id, ada), { status: 409 });
      assert.deepEqual(
        events.map((e) => e.type),
        ['approval.requested', 'approval.decided'],
      );
      assert.ok(audit.types().includes('approval.granted'));
      assert.equal(audit.events.filter((e) => e.type === 'approval.vote').length, 2);
    });

    it('the app owner may not review it either, even when someone else submitted it', async () => {
      const m = manifest({
        name: 'sams-app',
        owner: 'sam',
        spec: {
          data: [{ dataset: 'customers', access: 'read', purpose: 'accounts', columns: ['name'] }],
          egress: ['api.unknown-vendor.io'],
        },
      });
      const r = await submit(m);
      await assert.rejects(approvals.approve(r.approval.id, sam), { status: 403, message: /owns sams-app/ });
      await assert.rejects(approvals.reject(r.approval.id, sam, 'no'), { status: 403 });
      assert.equal((await approvals.approve(r.approval.id, who('sue', 'security'))).state, 'pending');
    });

    it('a person holding both roles counts once', async () => {
      const r = await submit();
      const both = who('bo', 'data_owner', 'security');
      const s = await approvals.approve(r.approval.id, both);
      assert.equal(s.state, 'pending');
      assert.equal(s.votes.length, 1);
    });

    it('a rejection needs a comment, rejects the version and keeps the comment', async () => {
      const r = await submit();
      await assert.rejects(approvals.reject(r.approval.id, sam, '  '), { status: 400 });
      await assert.rejects(approvals.reject(r.approval.id, carol, 'no'), { status: 403 });
      const s = await approvals.reject(r.approval.id, sam, 'drop api.unknown-vendor.io: use the crm connector');
      assert.equal(s.state, 'rejected');
      assert.equal(s.comment, 'drop api.unknown-vendor.io: use the crm connector');
      assert.equal(await states.getState('crm-bot', 1), 'rejected');
      const lc = audit.events.filter((e) => e.type === 'app.lifecycle').at(-1)!;
      assert.deepEqual([lc.actor, lc.data.to], ['sam', 'rejected']);
      assert.match(String(lc.data.reason), /use the crm connector/);
    });

    it('a new version supersedes the pending one; approvals do not carry over', async () => {
      const r1 = await submit();
      await approvals.approve(r1.approval.id, dora);
      const r2 = await submit(risky(), 2, {
        'main.js': "export async function main(i, ctx) { return ctx.http.fetch('https://api.unknown-vendor.io/y'); }",
      });
      assert.equal((await approvals.require(r1.approval.id)).state, 'superseded');
      assert.equal(await states.getState('crm-bot', 1), 'superseded');
      assert.equal(r2.approval.votes.length, 0);
      await assert.rejects(approvals.approve(r1.approval.id, sam), { status: 409 });
      assert.equal((await approvals.approve(r2.approval.id, sam)).state, 'pending');
    });

    it('a policy deny rejects at admission; require_approval lifts a low score to review', async () => {
      gov = fakeGovernor('deny', { reason: 'prod apps need a budget' });
      (admission as unknown as { deps: { governor: unknown } }).deps.governor = gov;
      const denied = await submit(manifest({ name: 'denied' }), 1, { 'main.js': 'export const main = () => 1;' });
      assert.equal(denied.state, 'rejected');
      assert.match(denied.approval.comment!, /prod apps need a budget/);
      (admission as unknown as { deps: { governor: unknown } }).deps.governor = fakeGovernor('require_approval', {
        reason: 'new model',
      });
      const held = await submit(manifest({ name: 'held' }), 1, { 'main.js': 'export const main = () => 1;' });
      assert.equal(held.state, 'pending_approval');
      assert.equal(held.risk.tier, 'medium');
      assert.deepEqual(held.approval.requiredRoles, ['security']);
    });

    it('fails closed when the governor throws', async () => {
      (admission as unknown as { deps: { governor: unknown } }).deps.governor = {
        govern: async () => {
          throw new Error('bundle missing');
        },
      };
      const r = await submit(manifest({ name: 'x' }), 1, { 'main.js': 'export const main = () => 1;' });
      assert.equal(r.state, 'rejected');
      assert.match(r.approval.comment!, /bundle missing/);
    });

    it('flags PII in prompts and code, and dynamic code, as factors needing security', async () => {
      const m = manifest({
        name: 'leaky',
        spec: { prompts: [{ name: 'p', template: 'Summarise the account of 123-45-6789' }] },
      });
      const r = await submit(m, 1, { 'main.js': "export const main = (i) => eval(i.x) + ' 987-65-4321';" });
      assert.ok(
        r.findings.some(
          (f) => f.rule === 'pii-in-prompt' && f.path === 'spec.prompts[0].template' && !f.message.includes('123-45'),
        ),
      );
      assert.ok(r.findings.some((f) => f.rule === 'pii-in-code' && f.line === 1));
      assert.ok(r.risk.factors.some((f) => f.id === 'pii.in-text'));
      assert.ok(r.risk.factors.some((f) => f.id === 'code.dynamic-code'));
      assert.equal(r.state, 'pending_approval');
      assert.deepEqual(r.approval.requiredRoles, ['security']);
    });

    it('sends reminders at 50% and 75% and escalates on breach, once each, as the clock moves', async () => {
      const r = await submit();
      assert.deepEqual(await sla.tick(), { reminded: [], escalated: [] });
      assert.equal(r.risk.tier, 'high');
      clock.advance(12 * 3_600_000);
      assert.deepEqual(await sla.tick(), { reminded: [r.approval.id], escalated: [] });
      assert.deepEqual(await sla.tick(), { reminded: [], escalated: [] });
      clock.advance(6 * 3_600_000);
      assert.deepEqual((await sla.tick()).reminded, [r.approval.id]);
      clock.advance(6 * 3_600_000);
      assert.deepEqual(await sla.tick(), { reminded: [], escalated: [r.approval.id] });
      assert.deepEqual(await sla.tick(), { reminded: [], escalated: [] });
      assert.deepEqual(
        events.map((e) => e.type),
        ['approval.requested', 'approval.reminded', 'approval.reminded', 'approval.escalated'],
      );
      assert.match(events[3].text, /Escalated to admins: ada/);
      assert.equal((await approvals.require(r.approval.id)).escalated, true);
      assert.deepEqual(
        audit.types().filter((x) => x.startsWith('approval.')),
        ['approval.requested', 'approval.reminded', 'approval.reminded', 'approval.escalated'],
      );
    });

    it('explains a version from the stored record', async () => {
      const r = await submit();
      const e = await admission.explain('crm-bot', 1);
      assert.equal(e.risk.score, r.risk.score);
      assert.deepEqual(e.risk.factors, r.risk.factors);
      await assert.rejects(admission.explain('crm-bot', 9), { status: 404 });
    });

    it('lists pending requests a reviewer can act on with --mine', async () => {
      await submit();
      assert.equal((await approvals.list(dora, { mine: true })).length, 1);
      assert.equal((await approvals.list(carol, { mine: true })).length, 0);
      assert.equal((await approvals.list(who('lena', 'legal'), { mine: true })).length, 0);
      assert.equal((await approvals.list(carol, { state: 'approved' })).length, 0);
    });

    it('concurrent approvals from the two required reviewers approve exactly once', async () => {
      const r = await submit();
      const [a, b] = await Promise.all([approvals.approve(r.approval.id, dora), approvals.approve(r.approval.id, sam)]);
      assert.ok([a.state, b.state].includes('approved'));
      assert.equal((await approvals.require(r.approval.id)).state, 'approved');
      assert.equal(audit.events.filter((e) => e.type === 'approval.granted').length, 1);
    });
  });
}
