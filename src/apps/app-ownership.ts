// Who may act for an app: its owner, the maintainers its manifest names, and operators. One home for the rule.
import { ForbiddenError } from '../core/errors.js';
import { hasAnyRole, type Principal, type Role } from '../identity/principal.js';
import type { AppManifest } from './manifest-schema.js';

/** Roles that may act for any app besides its owner and maintainers (admin always may). */
export const APP_OPERATOR_ROLES: readonly Role[] = ['security'];

/** The owner, a maintainer named in metadata.maintainers, or a holder of one of `operatorRoles` (admin always). */
export function isAppManager(
  p: Principal,
  m: AppManifest,
  operatorRoles: readonly Role[] = APP_OPERATOR_ROLES,
): boolean {
  if (hasAnyRole(p, operatorRoles)) return true;
  return m.metadata.owner === p.user || (m.metadata.maintainers ?? []).includes(p.user);
}

/** Throws 403 naming the owner and who else may `what` (e.g. "submit new versions of"). */
export function assertAppManager(
  p: Principal,
  m: AppManifest,
  what: string,
  operatorRoles: readonly Role[] = APP_OPERATOR_ROLES,
): void {
  if (isAppManager(p, m, operatorRoles)) return;
  const others = [...operatorRoles, 'admin'].join(' or ');
  throw new ForbiddenError(
    `Only the owner of app '${m.metadata.name}' (${m.metadata.owner}), its maintainers (metadata.maintainers) or ` +
      `${others} may ${what} it; you are '${p.user}'.`,
    { app: m.metadata.name, owner: m.metadata.owner },
  );
}

/**
 * Checks a submission against the app's latest version: only its managers may add versions, and changing the owner
 * (or who maintains it) is an admin action, so a creator cannot hand an app to themselves or shed its owner.
 */
export function assertMaySubmit(p: Principal, candidate: AppManifest, latest: AppManifest | undefined): void {
  if (hasAnyRole(p, [])) return; // admin
  if (!latest) {
    if (!isAppManager(p, candidate, []))
      throw new ForbiddenError(
        `A new app must name its submitter as metadata.owner or in metadata.maintainers; you are '${p.user}' and ` +
          `the manifest names owner '${candidate.metadata.owner}'. Ask an admin to submit apps for others.`,
        { app: candidate.metadata.name },
      );
    return;
  }
  assertAppManager(p, latest, 'submit new versions of', []);
  const sameMaintainers =
    [...(latest.metadata.maintainers ?? [])].sort().join(',') ===
    [...(candidate.metadata.maintainers ?? [])].sort().join(',');
  if (candidate.metadata.owner !== latest.metadata.owner || !sameMaintainers)
    throw new ForbiddenError(
      `Changing who owns or maintains app '${latest.metadata.name}' (owner ${latest.metadata.owner} → ` +
        `${candidate.metadata.owner}) is an admin action: ask an admin to submit this version.`,
      { app: latest.metadata.name, owner: latest.metadata.owner },
    );
}
