// Browser sign-in with the IdP: GET /auth/login (authorization code with PKCE S256, state and nonce), GET
// /auth/callback (state used once, code exchanged, ID token checked for issuer, client audience and nonce, the user
// provisioned like a bearer token's), POST /auth/logout. The session cookie is HttpOnly, SameSite=Strict, Secure
// over TLS.
import { createHash, randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { parseDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { RawRouteDoc } from '../http/route.js';
import { isSecureRequest } from '../http/secure-request.js';
import type { AuditSink } from '../core/sinks.js';
import type { OidcFeature } from './create-oidc.js';
import { looksLikeJwt } from './jwt-shape.js';
import { OidcRefusal } from './oidc-verifier.js';
import { SESSION_COOKIE, type WebSessions } from './web-session.js';

const b64url = (n: number) => randomBytes(n).toString('base64url');

/** Only local paths: `//evil.example` or `https://...` would make the login an open redirect. */
function safeReturnTo(v: string | undefined): string {
  return v && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) ? v : '/';
}

function page(c: Context, status: 200 | 400 | 401 | 503, title: string, body: string, refreshTo?: string) {
  const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const meta = refreshTo ? `<meta http-equiv="refresh" content="0;url=${esc(refreshTo)}">` : '';
  c.header('cache-control', 'no-store');
  return c.html(
    `<!doctype html><html><head><title>${esc(title)}</title>${meta}</head><body><p>${esc(body)}</p></body></html>`,
    status,
  );
}

const signInDoc = (method: 'get' | 'post', path: string, summary: string): RawRouteDoc => ({
  method,
  path,
  summary,
  tag: 'identity',
  access: 'public',
  auth: 'browser sign-in through the configured OIDC provider (session cookie)',
});

/** The browser sign-in routes, for the OpenAPI document (mounted only when `identity.oidc` is configured). */
export const webSignInRouteDocs: RawRouteDoc[] = [
  signInDoc('get', '/auth/login', 'Start OIDC sign-in (authorization code with PKCE); redirects to the provider'),
  signInDoc('get', '/auth/callback', 'OIDC redirect target: checks state and nonce, sets the session cookie'),
  signInDoc('post', '/auth/logout', 'End the browser session'),
];

export function mountWebSignIn(
  app: Hono,
  d: { oidc: OidcFeature; sessions: WebSessions; audit: AuditSink; logger: Logger },
): void {
  const web = d.oidc.config.web;
  if (!web) return;
  const sessionTtl = parseDuration(web.sessionTtl, 'identity.oidc.web.sessionTtl');
  const redirectUri = (c: Context) => web.redirectUri ?? new URL('/auth/callback', c.req.url).toString();

  app.get('/auth/login', async (c) => {
    let meta;
    try {
      meta = await d.oidc.verifier.metadata();
    } catch (err) {
      return page(c, 503, 'Sign-in unavailable', `The identity provider did not answer: ${(err as Error).message}`);
    }
    if (!meta.authorization_endpoint)
      return page(c, 503, 'Sign-in unavailable', 'The IdP publishes no authorization_endpoint.');
    const state = b64url(24);
    const nonce = b64url(24);
    const verifier = b64url(48);
    await d.sessions.saveSignIn(state, { nonce, verifier, returnTo: safeReturnTo(c.req.query('returnTo')) });
    const url = new URL(meta.authorization_endpoint);
    const aud = d.oidc.config.audience;
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: web.clientId,
      redirect_uri: redirectUri(c),
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(/^https?:\/\//.test(aud) ? { resource: aud } : {}),
    }))
      url.searchParams.set(k, v);
    return c.redirect(url.toString(), 302);
  });

  app.get('/auth/callback', async (c) => {
    const state = c.req.query('state');
    const pending = state ? await d.sessions.takeSignIn(state) : undefined;
    if (!pending)
      return page(c, 400, 'Sign-in failed', 'Unknown, expired or already used sign-in; start again at /auth/login.');
    const idpError = c.req.query('error');
    if (idpError) return page(c, 401, 'Sign-in refused', `The identity provider said: ${idpError}`);
    const code = c.req.query('code');
    if (!code) return page(c, 400, 'Sign-in failed', 'The callback carries no code.');
    try {
      const meta = await d.oidc.verifier.metadata();
      if (!meta.token_endpoint) throw new OidcRefusal('the IdP publishes no token_endpoint');
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri(c),
          client_id: web.clientId,
          code_verifier: pending.verifier,
          ...(web.clientSecret ? { client_secret: web.clientSecret } : {}),
        }),
        signal: AbortSignal.timeout(15_000),
      });
      const tokens = (await res.json().catch(() => ({}))) as {
        id_token?: string;
        access_token?: string;
        error?: string;
      };
      if (!res.ok || !tokens.id_token) throw new OidcRefusal(`code exchange failed (${tokens.error ?? res.status})`);
      const idClaims = await d.oidc.verifier.verify(tokens.id_token, { audience: web.clientId, nonce: pending.nonce });
      // Roles come from the access token when it is a JWT for our API (where IdPs put groups), else the ID token.
      const claims = looksLikeJwt(tokens.access_token) ? await d.oidc.verifier.verify(tokens.access_token) : idClaims;
      if (claims.sub !== idClaims.sub) throw new OidcRefusal('access token and ID token name different subjects');
      const p = await d.oidc.authenticator.principalFor(claims);
      const s = await d.sessions.create(p.user, sessionTtl);
      setCookie(c, SESSION_COOKIE, s.id, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: isSecureRequest(c),
        path: '/',
        maxAge: Math.floor(sessionTtl / 1000),
      });
      await d.audit.append({ type: 'session.created', actor: p.user, data: { via: 'oidc', expiresAt: s.expiresAt } });
      // A page, not a redirect: the browser then sends the SameSite=Strict cookie on a same-site navigation.
      return page(c, 200, 'Signed in', `Signed in as ${p.user}.`, pending.returnTo);
    } catch (err) {
      if (!(err instanceof OidcRefusal)) throw err;
      d.logger.warn('browser sign-in refused', { reason: err.message });
      return page(c, 401, 'Sign-in refused', err.message);
    }
  });

  app.post('/auth/logout', async (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await d.sessions.revoke(id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
    const meta = await d.oidc.verifier.metadata().catch(() => undefined);
    return c.json({ loggedOut: true, endSessionUrl: meta?.end_session_endpoint ?? null });
  });
}
