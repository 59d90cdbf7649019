// Console guides and policy simulation over HTTP: every risk factor has a guide anchor the app page links to, and a
// pasted policy is simulated against recorded decisions (bad CEL is a 400 naming the line; creators are refused).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { RISK_FACTOR_TEXTS } from '../admission/risk-factor-texts.js';
import { CSRF_FIELD } from './console-session.js';

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
});
