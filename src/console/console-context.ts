// What every console handler gets: the request, the signed-in principal, its CSRF token and the API client.
import type { Context } from 'hono';
import type { Principal } from '../identity/principal.js';
import type { ConsoleApi, ConsoleCredential } from './console-api.js';
import { page, type Html, type PageFrame } from './console-layout.js';

export interface ConsoleCtx {
  c: Context;
  principal: Principal;
  csrf: string;
  api: ConsoleApi;
  /** How the user signed in (pasted token or OIDC browser session). */
  cred: ConsoleCredential;
  /** The parsed form of a POST (string fields only). */
  form: Record<string, string>;
}

export type ConsoleHandler = (ctx: ConsoleCtx) => Promise<Response>;

/** Registers a console route; the mount wraps it with the session check (and CSRF check on POST). */
export type Register = (method: 'get' | 'post', path: string, handler: ConsoleHandler) => void;

/** Renders a page in the shared frame with the signed-in user, status defaulting to 200. */
export async function render(ctx: ConsoleCtx, frame: Omit<PageFrame, 'principal' | 'csrf'>, body: Html, status = 200) {
  return ctx.c.html(await page({ ...frame, principal: ctx.principal, csrf: ctx.csrf }, body), status as 200);
}

/** After a state change: back to a page (303, so a reload does not resend the form). */
export function seeOther(ctx: ConsoleCtx, location: string): Response {
  return ctx.c.redirect(location, 303);
}
