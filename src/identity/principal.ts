// Who is calling: a catalog user with roles and groups, resolved from a bearer token.

export const ROLES = ['creator', 'data_owner', 'security', 'legal', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  user: string;
  roles: Role[];
  groups: string[];
}

export const SYSTEM_PRINCIPAL: Principal = { user: 'system', roles: ['admin'], groups: [] };

export function hasAnyRole(p: Principal, roles: readonly Role[]): boolean {
  return p.roles.includes('admin') || roles.some((r) => p.roles.includes(r));
}
