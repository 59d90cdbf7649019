// What an API token may do: six scopes, and the scope each API route needs (checked beside the caller's roles).
import type { HttpMethod } from '../http/route.js';

export const SCOPES = ['read', 'submit', 'review', 'operate', 'admin', 'gateway'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Writes by route tag. Reads (GET) need `read`; a tag not listed here needs `admin`, so a route added without a
 * thought for scopes fails closed rather than open.
 */
const WRITE_SCOPE_BY_TAG: Record<string, Scope> = {
  apps: 'submit',
  sandbox: 'submit',
  approvals: 'review',
  rollout: 'operate',
  alerts: 'operate',
  gateway: 'gateway',
  catalog: 'admin',
  policies: 'admin',
};

/** POSTs that only compute an answer (no state changes): a read-scoped token may call them. */
const READ_ONLY_POSTS = new Set(['/api/v1/policies/eval', '/api/v1/policies/simulate']);

/**
 * The scope a route needs, or undefined when any authenticated token may call it: whoami and one's own tokens
 * (minting checks that a token never gets scopes its creator's token lacks).
 */
export function scopeForRoute(method: HttpMethod, path: string, tag: string): Scope | undefined {
  if (path === '/api/v1/whoami' || path.startsWith('/api/v1/tokens')) return undefined;
  if (method === 'get' || READ_ONLY_POSTS.has(path)) return 'read';
  if (path === '/api/v1/approvals/check-slas') return 'admin';
  return WRITE_SCOPE_BY_TAG[tag] ?? 'admin';
}

/** True when `granted` (undefined = unrestricted, as for the bootstrap admin and IdP tokens) covers `needed`. */
export function scopeAllows(granted: readonly Scope[] | undefined, needed: Scope): boolean {
  return granted === undefined || granted.includes('admin') || granted.includes(needed);
}
