// Who is calling: a catalog user with roles and groups, resolved from a bearer token, and what the token may do.
import type { Scope } from './scopes.js';

export const ROLES = ['creator', 'data_owner', 'security', 'legal', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  user: string;
  roles: Role[];
  groups: string[];
  /** Scopes of the token used; absent = unrestricted (bootstrap admin token, IdP tokens): roles alone decide. */
  scopes?: Scope[];
  /** How the caller authenticated: a Gatehouse API token id, `admin-token`, or `oidc`. */
  via?: string;
  /** When the credential used expires (epoch ms); absent when it does not. A token it mints cannot outlive it. */
  expiresAt?: number;
}

export const SYSTEM_PRINCIPAL: Principal = { user: 'system', roles: ['admin'], groups: [] };

export function hasAnyRole(p: Principal, roles: readonly Role[]): boolean {
  return p.roles.includes('admin') || roles.some((r) => p.roles.includes(r));
}
