// End-to-end (issue 5 "Done when"): templates auto-approve in dev; a pii + unapproved-host app waits for data_owner and
// security; SoD 403; quorum; rejection comment on `app show`; SLA escalation with a moved clock; all audited; webhooks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/core/clock.js';
import { testStores } from '../src/testing/databases.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';

const HOUR = 3_600_000;

function riskyApp(name: string, owner = 'alice'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-risky-'));
  writeFileSync(
    join(dir, 'app.yaml'),
    [
      'apiVersion: gatehouse/v1',
      'kind: App',
      `metadata: { name: ${name}, owner: ${owner} }`,
      'spec:',
      '  purpose: Summarise support calls and post the themes to a vendor dashboard',
      '  environment: dev',
      '  region: eu-west-1',
      '  runtime: { tier: wasm, entrypoint: main.js }',
      '  models: [{ id: gpt-4o-mini-eu }]',
      '  data: [{ dataset: customer-transcripts, access: read, purpose: find recurring complaints, columns: [id, transcript, email] }]',
      '  egress: [api.unknown-vendor.io]',
      '  budgets: { dailyCostUsd: 5 }',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'main.js'),
    [
      'export default async function main(input, ctx) {',
      "  const r = await ctx.data.query('customer-transcripts', { columns: ['id', 'transcript'] });",
      "  const reply = await ctx.llm.chat({ model: 'gpt-4o-mini-eu', messages: [{ role: 'user', content: JSON.stringify(r) }] });",
      "  return ctx.http.fetch('https://api.unknown-vendor.io/themes', { method: 'POST', body: reply.content });",
      '}',
    ].join('\n'),
  );
  return join(dir, 'app.yaml');
}

interface Submitted {
  version: number;
  state: string;
  admission: {
    risk: { score: number; tier: string; factors: { id: string; points: number; fix: string }[] };
    state: string;
    approval: { id: string; state: string; auto: boolean; requiredRoles: string[]; dueAt?: number };
  };
}

for (const store of testStores) {
  describe(`approvals end to end on ${store}`, () => {
    let t: TestGatehouse;
    let receiver: Server;
    const hooks: Array<{ event: string; data: Record<string, unknown> }> = [];
    const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
    const tokens: Record<string, string> = {};
    let pending = '';

    before(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          hooks.push(JSON.parse(body));
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      t = await startTestGatehouse({ store, clock, config: { notify: { webhooks: [{ url }], backoffMs: 5 } } });
      for (const u of ['alice', 'dana', 'sam', 'root']) tokens[u] = await t.tokenFor(u);
    });
    after(async () => {
      await t.close();
      await new Promise<void>((r) => receiver.close(() => r()));
    });

    for (const template of ['chatbot', 'summarizer', 'data-explorer']) {
      it(`app init --template ${template} writes an app that auto-approves in dev`, async () => {
        const dir = join(mkdtempSync(join(tmpdir(), 'gh-init-')), `my-${template}`);
        const init = await t.cli(['app', 'init', '--template', template, dir], tokens.alice);
        assert.equal(init.code, 0, `${init.err}${init.out}`);
        const sub = await t.cli(['app', 'submit', join(dir, 'app.yaml'), '--json'], tokens.alice);
        assert.equal(sub.code, 0, sub.err);
        const r = JSON.parse(sub.out) as Submitted;
        assert.equal(r.state, 'approved', JSON.stringify(r.admission.risk));
        assert.equal(r.admission.risk.tier, 'low');
        assert.equal(r.admission.approval.auto, true);
      });
    }

    it('routes a pii dataset + unapproved host to data_owner and security, with factors and fixes', async () => {
      const sub = await t.cli(['app', 'submit', riskyApp('call-themes')], tokens.alice);
      assert.equal(sub.code, 0, sub.err);
      assert.match(sub.out, /risk: +\d+\/100 \((medium|high)\)/);
      assert.match(sub.out, /approval: pending \(apr_[0-9a-z]+\); needs (data_owner, security|security, data_owner)/);
      const json = JSON.parse(
        (await t.cli(['app', 'explain', 'call-themes', '1', '--json'], tokens.alice)).out,
      ) as Submitted['admission'];
      assert.deepEqual([...json.approval.requiredRoles].sort(), ['data_owner', 'security']);
      assert.ok(json.risk.factors.some((f) => f.id === 'dataset.pii:customer-transcripts' && /\(-25\)$/.test(f.fix)));
      assert.ok(json.risk.factors.some((f) => f.id === 'egress.unapproved:api.unknown-vendor.io'));
      pending = json.approval.id;
      const human = await t.cli(['app', 'explain', 'call-themes'], tokens.alice);
      assert.match(human.out, /fix: Drop the email column/);
    });

    it('refuses the submitter (403) even via the API, and lists the request for reviewers', async () => {
      const own = await t.cli(['approvals', 'approve', pending], tokens.alice);
      assert.equal(own.code, 1);
      assert.match(own.err, /separation of duties/);
      const api = await t.api('POST', `/api/v1/approvals/${pending}/approve`, {}, tokens.alice);
      assert.equal(api.status, 403);
      const mine = JSON.parse((await t.cli(['approvals', 'list', '--mine', '--json'], tokens.dana)).out) as {
        items: { id: string }[];
      };
      assert.ok(
        mine.items.some((i) => i.id === pending),
        JSON.stringify(mine.items),
      );
      const sams = JSON.parse(
        (await t.cli(['approvals', 'list', '--mine', '--app', 'call-themes', '--json'], tokens.sam)).out,
      ) as { items: { id: string }[] };
      assert.deepEqual(
        sams.items.map((i) => i.id),
        [pending],
      );
      const none = JSON.parse((await t.cli(['approvals', 'list', '--mine', '--json'], tokens.alice)).out) as {
        items: unknown[];
      };
      assert.equal(none.items.length, 0);
    });

    it('one approval leaves it pending; the second approves it', async () => {
      const one = await t.cli(
        ['approvals', 'approve', pending, '--comment', 'transcripts ok without names'],
        tokens.dana,
      );
      assert.equal(one.code, 0, one.err);
      assert.match(one.out, /pending/);
      assert.equal((await t.api('GET', '/api/v1/apps/call-themes')).body.inForce, null);
      const two = await t.cli(['approvals', 'approve', pending], tokens.sam);
      assert.equal(two.code, 0, two.err);
      assert.match(two.out, /approved/);
      const show = await t.cli(['app', 'show', 'call-themes'], tokens.alice);
      assert.match(show.out, /v1 approved/);
    });

    it('a rejection with a comment shows on app show', async () => {
      const r = JSON.parse(
        (await t.cli(['app', 'submit', riskyApp('vendor-sync'), '--json'], tokens.alice)).out,
      ) as Submitted;
      const rej = await t.cli(
        [
          'approvals',
          'reject',
          r.admission.approval.id,
          '--comment',
          'Use the approved crm-api connector instead of api.unknown-vendor.io',
        ],
        tokens.sam,
      );
      assert.equal(rej.code, 0, rej.err);
      const show = await t.cli(['app', 'show', 'vendor-sync'], tokens.alice);
      assert.match(show.out, /v1 rejected/);
      assert.match(show.out, /rejected by sam: Use the approved crm-api connector/);
      const noComment = await t.cli(['approvals', 'reject', r.admission.approval.id, '--comment', ' '], tokens.sam);
      assert.equal(noComment.code, 2);
    });

    it('escalates to admins when the SLA is breached, after reminders, as the clock moves', async () => {
      const r = JSON.parse(
        (await t.cli(['app', 'submit', riskyApp('slow-review'), '--json'], tokens.alice)).out,
      ) as Submitted;
      const id = r.admission.approval.id;
      const sla = r.admission.approval.dueAt! - clock.now();
      clock.advance(sla * 0.5);
      assert.deepEqual((await t.api('POST', '/api/v1/approvals/check-slas')).body, { reminded: [id], escalated: [] });
      clock.advance(sla * 0.25);
      assert.deepEqual((await t.api('POST', '/api/v1/approvals/check-slas')).body, { reminded: [id], escalated: [] });
      clock.advance(sla * 0.25 + HOUR);
      assert.deepEqual((await t.api('POST', '/api/v1/approvals/check-slas')).body, { reminded: [], escalated: [id] });
      const list = await t.cli(['approvals', 'list', '--state', 'pending'], tokens.root);
      assert.match(list.out, /ESCALATED/);
      await t.gh.approvals.notifier.drain();
      const forSlow = hooks.filter((h) => h.data.app === 'slow-review').map((h) => h.event);
      assert.deepEqual(forSlow, ['approval.requested', 'approval.reminded', 'approval.reminded', 'approval.escalated']);
      assert.match(String(hooks.find((h) => h.event === 'approval.escalated')!.data.escalatedTo), /root/);
      assert.ok(hooks.some((h) => h.event === 'approval.decided' && h.data.app === 'call-themes'));
    });

    it('every step is in the audit log', async () => {
      const entries = async (app: string) =>
        (
          (await t.api('GET', `/api/v1/audit/entries?app=${app}`)).body.entries as {
            event: { type: string; actor: string; data: Record<string, unknown> };
          }[]
        ).map((e) => e.event);
      const themes = await entries('call-themes');
      const types = themes.map((e) => e.type);
      for (const ty of ['app.submitted', 'app.lifecycle', 'approval.requested', 'approval.vote', 'approval.granted'])
        assert.ok(types.includes(ty), `${ty} in ${types}`);
      const lc = themes.filter((e) => e.type === 'app.lifecycle').map((e) => `${e.actor}:${e.data.from}->${e.data.to}`);
      assert.deepEqual(lc, ['system:draft->pending_approval', 'sam:pending_approval->approved']);
      assert.ok((await entries('vendor-sync')).some((e) => e.type === 'approval.rejected' && e.actor === 'sam'));
      assert.ok((await entries('slow-review')).some((e) => e.type === 'approval.escalated'));
    });
  });
}
