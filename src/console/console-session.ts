// Console sessions: the pasted API token in an HttpOnly SameSite=Strict cookie, and the CSRF token derived from it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { isSecureRequest } from '../http/secure-request.js';

export const SESSION_COOKIE = 'gh_console';
/** Form field and header that carry the CSRF token on every state change. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token is an HMAC keyed by the session's API token: stateless (any replica checks it, nothing to store),
 * and another site cannot compute it because the cookie is HttpOnly and never leaves for a cross-site request.
 */
export function csrfFor(token: string): string {
  return createHmac('sha256', token).update('gatehouse-console-csrf-v1').digest('base64url');
}

export function csrfMatches(token: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const want = Buffer.from(csrfFor(token));
  const got = Buffer.from(presented);
  return got.length === want.length && timingSafeEqual(got, want);
}

export function sessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE) || undefined;
}

export function startSession(c: Context, token: string): void {
  // No Max-Age: a browser session cookie; the token's own expiry and revocation still apply on every request.
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c), path: '/' });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
}

/**
 * A POST from another origin is refused before anything else: SameSite=Strict keeps the cookie off it already,
 * and this also stops login CSRF on the sign-in form, which has no session yet.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  try {
    // Against the Host the browser used (the URL Node builds may name the listening address instead).
    return new URL(origin).host === (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return false;
  }
}
