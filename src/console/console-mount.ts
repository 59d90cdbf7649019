// The web console, mounted at / beside the API: sign-in/out, the session and CSRF checks, assets, and the pages.
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Authenticate, Mount } from '../http/server.js';
import type { Principal } from '../identity/principal.js';
import { ConsoleApi, credentialHeaders, type ConsoleCredential } from './console-api.js';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE as OIDC_SESSION_COOKIE } from '../identity/web-session.js';
import { CONSOLE_CSS } from './console-assets.js';
import type { ConsoleCtx, ConsoleHandler, Register } from './console-context.js';
import { page } from './console-layout.js';
import { CONSOLE_JS } from './console-script.js';
import {
  CSRF_FIELD,
  CSRF_HEADER,
  csrfFor,
  csrfMatches,
  endSession,
  sameOrigin,
  sessionToken,
  startSession,
} from './console-session.js';
import { registerInventoryPages } from './inventory-page.js';
import { registerApprovalPages } from './approvals-page.js';
import { registerKillPages } from './kills-page.js';
import { registerAppPage } from './app-page.js';
import { registerAuditPages } from './audit-page.js';
import { registerFlowPage } from './flow-page.js';
import { registerPoliciesPage } from './policies-page.js';
import { registerDashboardPage } from './dashboard-page.js';
import { registerDoctorPage } from './doctor-page.js';
import { registerGuidesPage } from './guides-page.js';
import { registerSimulatePage } from './simulate-page.js';

/** Forms are a few fields; anything bigger is not a console form. */
const MAX_FORM_BYTES = 64 * 1024;

const HEADERS: Record<string, string> = {
  // Only this origin's script and style; no inline script, no framing, forms post only here.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function withHeaders(res: Response): Response {
  for (const [k, v] of Object.entries(HEADERS)) res.headers.set(k, v);
  return res;
}

async function formOf(c: Context): Promise<Record<string, string> | undefined> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_FORM_BYTES) return undefined;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  const raw = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Browser sign-in through the identity provider (issue 16), offered on the sign-in page when configured. */
export interface ConsoleOptions {
  authenticateSession?: (sessionId: string) => Promise<Principal | undefined>;
}

function signInPage(c: Context, status: number, message?: string, next = '/apps', sso = false): Promise<Response> {
  const body = html`${
      sso
        ? html`<p>
            <a href="/auth/login?returnTo=${encodeURIComponent(next)}">Sign in with your identity provider</a>
          </p>`
        : ''
    }
    <form method="post" action="/sign-in">
      <p>
        Paste an API token (from <code>gatehouse token create --user you</code>). It is kept in an HttpOnly cookie for
        this browser session only.
      </p>
      <label for="token">API token</label>
      <input id="token" name="token" type="password" autocomplete="off" required size="60" />
      <input type="hidden" name="next" value="${next}" />
      <button type="submit">Sign in</button>
    </form>`;
  return Promise.resolve(
    page({ title: 'Sign in', notice: message ? { kind: 'error', text: message } : undefined }, body),
  ).then(async (h) => withHeaders(await c.html(h, status as 200)));
}

/** Only same-site paths are followed after sign-in, so the form cannot bounce a user to another site. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : '/apps';
}

/** The CSRF key: the API token, or the session id (both secret, HttpOnly, never sent cross-site). */
const secretOf = (cred: ConsoleCredential): string => (cred.kind === 'token' ? cred.token : cred.id);

function forbidden(c: Context, text: string): Response {
  return withHeaders(
    c.html(
      `<!doctype html><html lang="en"><head><title>Forbidden</title></head><body><main><h1>Forbidden</h1><p>${text}</p></main></body></html>`,
      403,
    ),
  );
}

export function consoleMount(opts: ConsoleOptions = {}): Mount {
  const sso = opts.authenticateSession !== undefined;
  return (app: Hono, authenticate: Authenticate) => {
    /** The pasted token first, then an OIDC browser session; undefined when neither is valid. */
    const signedIn = async (c: Context): Promise<{ cred: ConsoleCredential; principal: Principal } | undefined> => {
      const token = sessionToken(c);
      const p = token ? await authenticate(token) : undefined;
      if (token && p) return { cred: { kind: 'token', token }, principal: p };
      if (token) endSession(c);
      const id = opts.authenticateSession ? getCookie(c, OIDC_SESSION_COOKIE) : undefined;
      const sp = id ? await opts.authenticateSession!(id) : undefined;
      return id && sp ? { cred: { kind: 'session', cookie: OIDC_SESSION_COOKIE, id }, principal: sp } : undefined;
    };
    app.get('/assets/console.css', (c) =>
      withHeaders(c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8' })),
    );
    app.get('/assets/console.js', (c) =>
      withHeaders(c.body(CONSOLE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' })),
    );
    app.get('/sign-in', (c) => signInPage(c, 200, undefined, safeNext(c.req.query('next')), sso));
    app.post('/sign-in', async (c) => {
      if (!sameOrigin(c)) return forbidden(c, 'Cross-site sign-in refused.');
      const form = (await formOf(c)) ?? {};
      const token = (form.token ?? '').trim();
      const p = token ? await authenticate(token) : undefined;
      if (!p)
        return signInPage(
          c,
          401,
          'That token is unknown, revoked or expired; create one with gatehouse token create.',
          safeNext(form.next),
          sso,
        );
      startSession(c, token);
      return withHeaders(c.redirect(safeNext(form.next), 303));
    });

    const wrap =
      (method: 'get' | 'post', handler: ConsoleHandler) =>
      async (c: Context): Promise<Response> => {
        const who = await signedIn(c);
        if (!who) {
          const next = method === 'get' ? new URL(c.req.url).pathname + new URL(c.req.url).search : '/apps';
          return withHeaders(c.redirect(`/sign-in?next=${encodeURIComponent(next)}`, 303));
        }
        let form: Record<string, string> = {};
        if (method === 'post') {
          if (!sameOrigin(c)) return forbidden(c, 'Cross-site request refused.');
          const parsed = await formOf(c);
          if (!parsed) return forbidden(c, 'Form too large.');
          form = parsed;
          if (!csrfMatches(secretOf(who.cred), form[CSRF_FIELD] ?? c.req.header(CSRF_HEADER)))
            return forbidden(c, 'Missing or wrong CSRF token; reload the page and try again.');
        }
        const ctx: ConsoleCtx = {
          c,
          principal: who.principal,
          csrf: csrfFor(secretOf(who.cred)),
          api: new ConsoleApi(app, who.cred),
          cred: who.cred,
          form,
        };
        return withHeaders(await handler(ctx));
      };
    const register: Register = (method, path, handler) => app.on(method.toUpperCase(), path, wrap(method, handler));

    register('get', '/', async (ctx) => ctx.c.redirect('/apps', 302));
    register('post', '/sign-out', async (ctx) => {
      endSession(ctx.c);
      // An OIDC browser session ends on the server too (the identity feature's logout clears its cookie).
      if (ctx.cred.kind === 'session') {
        const out = await app.request('/auth/logout', { method: 'POST', headers: credentialHeaders(ctx.cred) });
        const cleared = out.headers.get('set-cookie');
        if (cleared) ctx.c.header('set-cookie', cleared, { append: true });
      }
      return ctx.c.redirect('/sign-in', 303);
    });
    registerInventoryPages(register);
    registerApprovalPages(register);
    registerKillPages(register);
    registerAppPage(register);
    registerAuditPages(register);
    registerFlowPage(register);
    registerPoliciesPage(register);
    registerDashboardPage(register);
    registerDoctorPage(register);
    registerGuidesPage(register);
    registerSimulatePage(register);
  };
}
