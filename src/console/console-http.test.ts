// Console over plain HTTP: sessions, CSRF and origin checks, and that the console can do no more than the API lets
// the signed-in user do (hostile cases first). The browser flows are in console-browser.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
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
  assert.equal(r.status, 303);
  const cookie = r.headers.get('set-cookie')!.split(';')[0];
  const page = await (await fetch(`${t.url}/apps`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page)![1];
  return { cookie, csrf };
}

function post(t: TestGatehouse, s: Session | undefined, path: string, fields: Record<string, string>, extra = {}) {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { ...(s ? { cookie: s.cookie } : {}), ...extra },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

describe('web console over HTTP', () => {
  let t: TestGatehouse;
  let sam: Session;
  let alice: Session;
  before(async () => {
    t = await startTestGatehouse();
    sam = await signIn(t, await t.tokenFor('sam'));
    alice = await signIn(t, await t.tokenFor('alice'));
  });
  after(() => t.close());

  it('sends a browser without a session cookie to sign-in, for pages and for state changes', async () => {
    const r = await fetch(`${t.url}/kills`, { redirect: 'manual' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/sign-in?next=%2Fkills');
    const p = await post(t, undefined, '/kills', { scope: 'app', id: 'faq-bot', reason: 'no session' });
    assert.equal(p.status, 303);
    assert.deepEqual((await t.api('GET', '/api/v1/kills')).body.kills, []);
  });

  it('refuses an unknown token at sign-in and a forged cookie afterwards', async () => {
    const r = await fetch(`${t.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ token: 'gh_nope' }) });
    assert.equal(r.status, 401);
    const forged = await fetch(`${t.url}/apps`, { headers: { cookie: 'gh_console=gh_forged' }, redirect: 'manual' });
    assert.equal(forged.status, 303);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict (no Secure over plain http)', async () => {
    const r = await fetch(`${t.url}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: await t.tokenFor('dana') }),
      redirect: 'manual',
    });
    const c = r.headers.get('set-cookie')!;
    assert.match(c, /HttpOnly/);
    assert.match(c, /SameSite=Strict/);
    assert.doesNotMatch(c, /Secure/);
    assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('marks the cookie Secure behind TLS', async () => {
    const r = await fetch(`${t.url}/sign-in`, {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'https' },
      body: new URLSearchParams({ token: await t.tokenFor('dana') }),
      redirect: 'manual',
    });
    assert.match(r.headers.get('set-cookie')!, /Secure/);
  });

  it('refuses a state change without the CSRF token, with a wrong one, or from another origin (403, nothing set)', async () => {
    const fields = { scope: 'app', id: 'faq-bot', reason: 'csrf attack' };
    assert.equal((await post(t, sam, '/kills', fields)).status, 403);
    assert.equal((await post(t, sam, '/kills', { ...fields, [CSRF_FIELD]: alice.csrf })).status, 403);
    const cross = await post(
      t,
      sam,
      '/kills',
      { ...fields, [CSRF_FIELD]: sam.csrf },
      { origin: 'https://evil.example' },
    );
    assert.equal(cross.status, 403);
    assert.equal((await post(t, sam, '/sign-out', {})).status, 403);
    assert.deepEqual((await t.api('GET', '/api/v1/kills')).body.kills, []);
  });

  it('lets a creator do nothing the API refuses her: approving and killing come back 403 from the API', async () => {
    const pending = (await t.api('GET', '/api/v1/approvals?state=pending')).body.items as { id: string }[];
    assert.ok(pending.length > 0, 'the seeded transcript-insights waits for approval');
    const id = pending[0].id;
    const page = await (await fetch(`${t.url}/approvals/${id}`, { headers: { cookie: alice.cookie } })).text();
    assert.match(page, /<button type="submit" name="decision" value="approve" disabled/);
    assert.match(page, /separation of duties/);
    const r = await post(t, alice, `/approvals/${id}/decide`, { decision: 'approve', [CSRF_FIELD]: alice.csrf });
    assert.equal(r.status, 403);
    assert.match(await r.text(), /may not review it/);
    assert.equal((await t.api('GET', `/api/v1/approvals/${id}`)).body.state, 'pending');
    const k = await post(t, alice, '/kills', {
      scope: 'app',
      id: 'faq-bot',
      reason: 'x'.repeat(5),
      [CSRF_FIELD]: alice.csrf,
    });
    assert.equal(k.status, 403);
    assert.deepEqual((await t.api('GET', '/api/v1/kills')).body.kills, []);
  });

  it('escapes what users typed: a kill reason with markup is shown as text', async () => {
    const reason = '<script>alert(1)</script>';
    const r = await post(t, sam, '/kills', { scope: 'user', id: 'lee', reason, [CSRF_FIELD]: sam.csrf });
    assert.equal(r.status, 303);
    const page = await (
      await fetch(`${t.url}${r.headers.get('location')}`, { headers: { cookie: sam.cookie } })
    ).text();
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!page.includes(reason));
    assert.match(page, /Kill on user lee in force since \d{4}-/);
  });

  it('follows only same-site paths after sign-in', async () => {
    const r = await fetch(`${t.url}/sign-in`, {
      method: 'POST',
      body: new URLSearchParams({ token: await t.tokenFor('ada'), next: '//evil.example/x' }),
      redirect: 'manual',
    });
    assert.equal(r.headers.get('location'), '/apps');
  });

  it('signs out: the cookie is cleared', async () => {
    const s = await signIn(t, await t.tokenFor('lee'));
    const r = await post(t, s, '/sign-out', { [CSRF_FIELD]: s.csrf });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('set-cookie') ?? '', /gh_console=;.*Max-Age=0/);
  });

  it('shows the doctor report to an admin (every item, its status, why and fix) and the API refusal to a creator', async () => {
    const admin = await signIn(t, t.gh.adminToken);
    const res = await fetch(`${t.url}/doctor`, { headers: { cookie: admin.cookie } });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<a href="\/doctor" aria-current="page">Readiness<\/a>/);
    const api = (await t.api('GET', '/api/v1/doctor')).body as {
      items: { id: string; status: string; why: string; fix: string }[];
      summary: { fail: number };
    };
    assert.ok(api.items.length >= 10 && api.summary.fail > 0, 'a fresh test installation has fails to show');
    const esc = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
    for (const i of api.items) {
      const row = new RegExp(`<tr id="doctor-${i.id}">([\\s\\S]*?)</tr>`).exec(page)?.[1];
      assert.ok(row, `row for ${i.id}`);
      assert.ok(row.includes(`<td class="${i.status}">${i.status}</td>`), `${i.id} status`);
      assert.ok(row.includes(esc(i.why)), `${i.id} why`);
      if (i.status !== 'pass') assert.ok(row.includes(esc(i.fix)), `${i.id} fix`);
    }
    // alice is a creator: GET /api/v1/doctor is for security and auditors, and the page passes the refusal on.
    const refused = await fetch(`${t.url}/doctor`, { headers: { cookie: alice.cookie } });
    assert.equal(refused.status, 403);
    const text = await refused.text();
    assert.match(text, /role="alert"/);
    assert.doesNotMatch(text, /<tr id="doctor-/);
    const apiRefusal = (await t.api('GET', '/api/v1/doctor', undefined, await t.tokenFor('alice'))).body as {
      error: { message: string };
    };
    assert.ok(text.includes(esc(apiRefusal.error.message)), 'the API refusal message is shown');
  });

  it('pages apps by name through the API without changing the unpaged answer', async () => {
    const all = (await t.api('GET', '/api/v1/apps')).body;
    assert.deepEqual(Object.keys(all), ['items']);
    assert.deepEqual((await t.api('GET', '/api/v1/apps?unrelated=1')).body, all, 'other parameters still ignored');
    const first = (await t.api('GET', '/api/v1/apps?limit=1')).body;
    assert.equal((first.items as { name: string }[])[0].name, 'faq-bot');
    const second = (await t.api('GET', `/api/v1/apps?limit=1&after=${String(first.next)}`)).body;
    assert.equal((second.items as { name: string }[])[0].name, 'transcript-insights');
    assert.equal(second.next, null);
    const q = (await t.api('GET', '/api/v1/apps?q=SCRIPT_&state=pending_approval')).body;
    assert.deepEqual(q.items, []);
    const q2 = (await t.api('GET', '/api/v1/apps?q=SCRIPT&state=pending_approval')).body;
    assert.deepEqual(
      (q2.items as { name: string }[]).map((a) => a.name),
      ['transcript-insights'],
    );
    const bad = await t.api('GET', '/api/v1/apps?limit=0');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.details[0].path, 'limit');
  });
});
