// Console guides and policy simulation over HTTP: every risk factor has a guide anchor the app page links to, and a
// pasted policy is simulated against recorded decisions (bad CEL is a 400 naming the line; creators are refused).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { RISK_FACTOR_TEXTS } from '../admission/risk-factor-texts.js';
import { CSRF_FIELD } from './console-session.js';
import { AlertStore } from '../telemetry/alert-store.js';
import type { AlertFiring } from '../telemetry/alert-engine.js';

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(t: TestGatehouse, token: string): Promise<Session> {
  const r = await fetch(`${t.url}/sign-in`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
  const cookie = r.headers.get('set-cookie')!.split(';')[0];
  const page = await (await fetch(`${t.url}/guides`, { headers: { cookie } })).text();
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)"/.exec(page)![1] };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const DENY_SUBMIT = `apiVersion: gatehouse/v1
kind: Policy
metadata:
  name: freeze_submissions
spec:
  match:
    actions: [app.submit]
  condition: 'true'
  effect: deny
  message: "Submissions are frozen"
`;

describe('console guides and policy simulation', () => {
  let t: TestGatehouse;
  let sam: Session;
  let alice: Session;
  before(async () => {
    t = await startTestGatehouse();
    sam = await signIn(t, await t.tokenFor('sam'));
    alice = await signIn(t, await t.tokenFor('alice'));
  });
  after(() => t.close());

  it('shows every risk factor, the manifest fields and the templates; the app page links each factor to it', async () => {
    const guide = await (await fetch(`${t.url}/guides`, { headers: { cookie: alice.cookie } })).text();
    for (const f of RISK_FACTOR_TEXTS) {
      assert.ok(guide.includes(`id="factor-${f.kind}"`), `anchor for ${f.kind}`);
      assert.ok(guide.includes(esc(f.fix(f.example))), `fix text for ${f.kind}`);
    }
    assert.match(guide, /<code>spec\.data\[\]\.columns<\/code>/);
    assert.match(guide, /<code>spec\.budgets\.dailyCostUsd<\/code>/);
    for (const tpl of ['chatbot', 'summarizer', 'data-explorer'])
      assert.match(
        guide,
        new RegExp(
          `data-copy="tpl-${tpl}-app-yaml"[\\s\\S]*?<pre id="tpl-${tpl}-app-yaml"># Template:[^<]*apiVersion: gatehouse/v1`,
        ),
      );
    const app = await (await fetch(`${t.url}/apps/transcript-insights`, { headers: { cookie: sam.cookie } })).text();
    const links = [...app.matchAll(/href="\/guides#([^"]+)" class="guide-link"/g)].map((m) => m[1]);
    const explain = (await t.api('GET', '/api/v1/apps/transcript-insights/explain')).body as {
      risk: { factors: { id: string }[] };
    };
    assert.ok(explain.risk.factors.length > 0);
    assert.ok(links.length >= explain.risk.factors.length, 'one link per factor at least');
    assert.ok(links.includes('factor-dataset.classification'), 'the pii dataset links to its section');
    for (const l of links) assert.ok(guide.includes(`id="${l}"`), `link target ${l} exists`);
  });

  it('shows recent runs (newest first, with status and duration) and costs today and over 7 days on the app page', async () => {
    const ran: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await t.api('POST', '/api/v1/apps/faq-bot/runs', { input: { question: `q${i}` }, user: 'alice' });
      // No provider key in tests: the run fails inside the app, and is recorded as finished with outcome error.
      assert.equal(r.status, 422, JSON.stringify(r.body));
      ran.push(String((r.body.error as unknown as { runId: string }).runId));
    }
    const desc = (await t.api('GET', '/api/v1/audit/entries?type=app.run.finished&app=faq-bot&order=desc')).body as {
      entries: { index: number }[];
      next: number | null;
    };
    assert.ok(desc.entries.length >= 2 && desc.entries[0].index > desc.entries[1].index, 'order=desc is newest first');
    assert.equal(desc.next, null);
    const page = await (await fetch(`${t.url}/apps/faq-bot`, { headers: { cookie: sam.cookie } })).text();
    const rows = [...page.matchAll(/<tr class="run">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
    assert.ok(rows.length >= 2);
    assert.ok(rows[0].includes(ran[1]) && rows[1].includes(ran[0]), 'newest run first');
    assert.match(rows[0], /<td class="fail">\s*error: app failed: No provider key/);
    assert.match(rows[0], /<td>\d+ ms<\/td>/);
    const week = (await t.api('GET', '/api/v1/costs?app=faq-bot&since=7d')).body as { total: { requests: number } };
    assert.match(
      page,
      new RegExp(`<th scope="row">Last 7 days</th>\\s*<td>\\$[\\d.]+</td>\\s*<td>${week.total.requests}</td>`),
    );
    assert.match(page, /<th scope="row">Today \(UTC\)<\/th>/);
  });

  it('simulates a pasted policy against recorded decisions and shows the changed ones', async () => {
    const get = await fetch(`${t.url}/policies/simulate`, { headers: { cookie: sam.cookie } });
    assert.equal(get.status, 200);
    const r = await fetch(`${t.url}/policies/simulate`, {
      method: 'POST',
      headers: { cookie: sam.cookie },
      body: new URLSearchParams({ [CSRF_FIELD]: sam.csrf, policy: DENY_SUBMIT, mode: 'add', since: '24h' }),
    });
    assert.equal(r.status, 200);
    const page = await r.text();
    const api = (
      await t.api('POST', '/api/v1/policies/simulate', { files: [{ path: 'p.yaml', content: DENY_SUBMIT }] })
    ).body as { transitions: { from: string; to: string; count: number }[]; effectChanged: number };
    assert.ok(api.effectChanged >= 2, 'both seeded submissions would have been denied');
    for (const tr of api.transitions)
      assert.match(
        page,
        new RegExp(`<td>${tr.from}</td>\\s*<td>${tr.to}</td>\\s*<td>${tr.count}</td>`),
        `${tr.from}->${tr.to}`,
      );
    assert.match(page, /<tr class="changed">[\s\S]*?transcript-insights[\s\S]*?app\.submit/);
    assert.match(page, /Submissions are frozen/);
  });

  it('the simulation API lists only maxChanges changes and refuses more than 500, naming the field', async () => {
    const files = [{ path: 'p.yaml', content: DENY_SUBMIT }];
    const full = (await t.api('POST', '/api/v1/policies/simulate', { files })).body as {
      changed: number;
      changes: { decisionId: string }[];
    };
    const one = await t.api('POST', '/api/v1/policies/simulate', { files, maxChanges: 1, maxApps: 0 });
    assert.equal(one.status, 200);
    const body = one.body as typeof full & { byApp: unknown[]; appsChanged: number };
    assert.ok(full.changed >= 2 && full.changes.length === full.changed);
    assert.equal(body.changed, full.changed, 'the count still covers every replayed decision');
    assert.deepEqual(
      body.changes.map((c) => c.decisionId),
      [full.changes[0].decisionId],
    );
    assert.deepEqual(body.byApp, []);
    assert.ok(body.appsChanged >= 1);
    const tooMany = await t.api('POST', '/api/v1/policies/simulate', { files, maxChanges: 501 });
    assert.equal(tooMany.status, 400);
    assert.match(JSON.stringify(tooMany.body), /maxChanges/);
  });

  it('answers bad CEL with a 400 naming the file and line, and refuses a creator', async () => {
    const bad = DENY_SUBMIT.replace("condition: 'true'", "condition: 'resource.classification ==== 1'");
    const r = await fetch(`${t.url}/policies/simulate`, {
      method: 'POST',
      headers: { cookie: sam.cookie },
      body: new URLSearchParams({ [CSRF_FIELD]: sam.csrf, policy: bad, mode: 'alone', path: 'mine.yaml' }),
    });
    assert.equal(r.status, 400);
    const page = await r.text();
    assert.match(page, /role="alert"/);
    assert.match(page, /<code>mine\.yaml:8:\d+/, 'the problem names file:line:col of the condition');
    assert.doesNotMatch(page, /<tr class="changed">/);
    const creator = await fetch(`${t.url}/policies/simulate`, {
      method: 'POST',
      headers: { cookie: alice.cookie },
      body: new URLSearchParams({ [CSRF_FIELD]: alice.csrf, policy: DENY_SUBMIT }),
    });
    assert.equal(creator.status, 403);
  });

  it('compares every app in one chart and shows time to contain per firing (rule action and manual kill)', async () => {
    const cmp = await (
      await fetch(`${t.url}/dashboards?dim=app&kind=run&metric=events&window=1h`, { headers: { cookie: sam.cookie } })
    ).text();
    assert.match(cmp, /<a href="\/dashboards\?dim=app&key=faq-bot&window=1h">faq-bot<\/a><\/td>\s*<td>2<\/td>/);
    const now = Date.now();
    const firing = (id: string, extra: Partial<AlertFiring>): AlertFiring => ({
      id,
      rule: `rule-${id}`,
      groupBy: 'app',
      groupKey: 'transcript-insights',
      app: 'transcript-insights',
      firedAt: now - 60_000,
      firstEventAt: now - 65_000,
      summary: 'test firing',
      observed: {},
      events: [],
      actions: [],
      ...extra,
    });
    const store = new AlertStore(t.gh.db);
    await store.saveFiring(firing('auto', { containedAt: now - 58_000, containMs: 7000 }));
    await store.saveFiring(firing('manual', {}));
    const k = await t.api('POST', '/api/v1/kills', { scope: 'app', id: 'transcript-insights', reason: 'contain' });
    assert.ok(k.status < 300, JSON.stringify(k.body));
    const page = await (await fetch(`${t.url}/dashboards?window=1h`, { headers: { cookie: sam.cookie } })).text();
    const rows = [...page.matchAll(/<tr class="contain">([\s\S]*?)<\/tr>/g)].map((m) => m[1].replace(/\s+/g, ' '));
    const auto = rows.find((r) => r.includes('rule-auto'))!;
    assert.match(auto, /rule action \(system\)<\/td> <td>2\.0 s<\/td> <td>7\.0 s<\/td>/);
    const manual = rows.find((r) => r.includes('rule-manual'))!;
    assert.match(manual, /manual kill \(admin\)/);
    const secs = Number(/<\/td> <td>([\d.]+) s<\/td>/.exec(manual.split('manual kill')[1])![1]);
    assert.ok(secs >= 60 && secs < 120, `firing to kill took ${secs}s`);
  });
});
