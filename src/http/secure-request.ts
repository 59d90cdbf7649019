// Whether the browser reached us over TLS: directly, or through a proxy that ended TLS and says so (X-Forwarded-Proto).
import type { Context } from 'hono';

/** Cookies set on such a request carry `Secure`. */
export function isSecureRequest(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}
