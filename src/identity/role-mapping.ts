// Claims to Gatehouse identity: the catalog user name a token's subject maps to, and the roles and catalog
// groups `identity.oidc.roleMapping` grants for its groups, roles or email domain.
import { NAME_RE } from '../catalog/names.js';
import type { Role } from './principal.js';
import type { RoleRule } from './identity-config.js';

/** The values of one claim as strings; `email_domain` is derived from `email` (lowercased). */
function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  if (claim === 'email_domain') {
    const email = claims.email;
    // An unverified email says nothing about who owns the domain.
    if (typeof email !== 'string' || claims.email_verified === false) return [];
    const at = email.lastIndexOf('@');
    return at > 0 ? [email.slice(at + 1).toLowerCase()] : [];
  }
  // A dotted name reads a nested claim, as Keycloak puts realm roles in realm_access.roles.
  let v: unknown = claims[claim];
  if (v === undefined && claim.includes('.'))
    v = claim
      .split('.')
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), claims);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export function mapClaims(
  claims: Record<string, unknown>,
  rules: readonly RoleRule[],
): { roles: Role[]; groups: string[] } {
  const roles = new Set<Role>();
  const groups = new Set<string>();
  for (const rule of rules) {
    if (!claimValues(claims, rule.claim).includes(rule.value)) continue;
    for (const r of rule.roles) roles.add(r);
    for (const g of rule.groups) groups.add(g);
  }
  return { roles: [...roles].sort(), groups: [...groups].sort() };
}

/**
 * The catalog name for a token: the configured claim (falling back to `sub`), lowercased, with characters a catalog
 * name cannot hold turned into '-'. Undefined when nothing usable remains.
 */
export function userNameFrom(claims: Record<string, unknown>, claim: string): string | undefined {
  const raw = typeof claims[claim] === 'string' ? (claims[claim] as string) : claims.sub;
  if (typeof raw !== 'string') return undefined;
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/, '');
  return NAME_RE.test(name) ? name : undefined;
}
