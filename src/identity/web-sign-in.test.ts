// Browser sign-in through Chromium (playwright-core driving Debian's /usr/bin/chromium) against a real OpenID
// Provider: code + PKCE + nonce, an HttpOnly SameSite=Strict session cookie, CSRF refusal of header-less changes,
// logout; and hostile callbacks (unknown or replayed state, an open-redirect returnTo).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { startTestGatehouse, type TestGatehouse } from '../testing/test-gatehouse.js';
import { TestIdp, WEB_CLIENT } from './testing/test-idp.js';

describe('browser sign-in with OIDC', () => {
  let idp: TestIdp;
  let t: TestGatehouse;
  let browser: Browser;

  before(async () => {
    idp = await TestIdp.start({
      sophie: { email: 'sophie@acme.test', email_verified: true, preferred_username: 'sophie', groups: ['sec-team'] },
    });
    t = await startTestGatehouse({
      config: {
        identity: {
          oidc: {
            issuer: idp.issuer,
            audience: idp.audience,
            web: { clientId: WEB_CLIENT },
            roleMapping: [{ claim: 'groups', value: 'sec-team', roles: ['security'] }],
          },
        },
      },
    });
    idp.registerWebClient(`${t.url}/auth/callback`);
    idp.approveAs = 'sophie';
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser.close();
    await t.close();
    await idp.close();
  });

  it('signs in with code + PKCE, sets a strict HttpOnly session cookie, refuses header-less changes, logs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/auth/login?returnTo=/api/v1/whoami`);
    await page.waitForURL(`${t.url}/api/v1/whoami`);
    const me = JSON.parse((await page.textContent('body')) ?? '{}') as { user: string; roles: string[]; via: string };
    assert.deepEqual([me.user, me.roles, me.via], ['sophie', ['security'], 'session']);

    const cookie = (await context.cookies(t.url)).find((c) => c.name === 'gh_session');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie.includes("gh_session")'), false, 'invisible to scripts');

    const post = (headers: Record<string, string>) =>
      page.evaluate(
        async (h) =>
          (
            await fetch('/api/v1/tokens', {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...h },
              body: JSON.stringify({ ttl: '1h', scopes: ['read'] }),
            })
          ).status,
        headers,
      );
    assert.equal(await post({}), 403, 'no CSRF header');
    assert.equal(await post({ 'x-requested-with': 'gatehouse' }), 201);

    const out = await page.evaluate(async () => (await fetch('/auth/logout', { method: 'POST' })).status);
    assert.equal(out, 200);
    await page.goto(`${t.url}/api/v1/whoami`);
    assert.match((await page.textContent('body')) ?? '', /unauthenticated/);
    await context.close();
  });

  it('signs the web console in with the same session; its sign-out ends the session on the server', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/sign-in?next=/apps`);
    await page.click('text=Sign in with your identity provider');
    await page.waitForURL(`${t.url}/apps`);
    const body = (await page.textContent('body')) ?? '';
    assert.doesNotMatch(body, /Paste an API token/);
    assert.match(body, /sophie/);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await page.goto(`${t.url}/api/v1/whoami`);
    assert.match((await page.textContent('body')) ?? '', /unauthenticated/);
    await context.close();
  });

  it('refuses unknown and replayed states and never redirects off-site', async () => {
    assert.equal((await fetch(`${t.url}/auth/callback?state=forged&code=x`)).status, 400);

    // Drive a sign-in by hand to capture the callback URL, then replay it.
    const context = await browser.newContext();
    const page = await context.newPage();
    let callback = '';
    page.on('request', (r) => {
      if (r.url().startsWith(`${t.url}/auth/callback`)) callback = r.url();
    });
    await page.goto(`${t.url}/auth/login?returnTo=//evil.example/steal`);
    // Lands on this server (the console at / forwards to /apps), never on the other site.
    await page.waitForURL((u) => u.origin === t.url && !u.pathname.startsWith('/auth/'));
    assert.equal(new URL(page.url()).origin, t.url);
    assert.ok(callback, 'went through the callback');
    const replay = await fetch(callback);
    assert.equal(replay.status, 400, 'a used state is gone');
    assert.match(await replay.text(), /already used/);
    await context.close();
  });
});
