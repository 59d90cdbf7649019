// Bearer JWTs from the IdP as Gatehouse principals: verify, then map the subject to a catalog User provisioned just
// in time (`source: oidc`) and updated on each sign-in from `identity.oidc.roleMapping`. A deactivated user, or a
// catalog user of that name bound to another subject, is refused. Refusals are 401s with the reason in the log.
import type { JWTPayload } from 'jose';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { SourcedDocument } from '../core/yaml-documents.js';
import type { CatalogReader, UserDoc } from '../catalog/catalog-schema.js';
import type { OidcConfig } from './identity-config.js';
import { OidcRefusal, type OidcVerifier } from './oidc-verifier.js';
import type { Principal } from './principal.js';
import { mapClaims, userNameFrom } from './role-mapping.js';

/** The catalog as provisioning needs it: read a user, apply a document. */
export interface UserProvisioningCatalog extends Pick<CatalogReader, 'user'> {
  apply(docs: readonly SourcedDocument[], actor: string): Promise<unknown>;
}

export class OidcAuthenticator {
  // One provisioning write at a time per user, so a burst of first requests does not race on the insert.
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly d: {
      verifier: OidcVerifier;
      config: OidcConfig;
      catalog: UserProvisioningCatalog;
      audit: AuditSink;
      logger: Logger;
    },
  ) {}

  async authenticate(token: string): Promise<Principal | undefined> {
    try {
      const claims = await this.d.verifier.verify(token);
      const p = await this.principalFor(claims);
      return claims.exp === undefined ? p : { ...p, expiresAt: claims.exp * 1000 };
    } catch (err) {
      if (!(err instanceof OidcRefusal)) throw err;
      this.d.logger.warn('OIDC bearer token refused', { reason: err.message });
      return undefined;
    }
  }

  /** The principal for verified claims (provisioning or updating the user); OidcRefusal when it may not sign in. */
  async principalFor(claims: JWTPayload & { sub: string }): Promise<Principal> {
    const user = await this.provision(claims);
    return { user: user.metadata.name, roles: [...user.spec.roles], groups: [...user.spec.groups], via: 'oidc' };
  }

  private async provision(claims: JWTPayload & { sub: string }): Promise<UserDoc> {
    const c = claims as Record<string, unknown>;
    const name = userNameFrom(c, this.d.config.usernameClaim);
    if (!name) throw new OidcRefusal(`no usable user name in claim '${this.d.config.usernameClaim}' or sub`);
    const issuer = this.d.config.issuer;
    const existing = this.d.catalog.user(name);
    if (existing) {
      // Bound by subject, never by name alone: an IdP account renamed to 'root' does not become root.
      if (existing.spec.subject !== claims.sub || (existing.spec.issuer && existing.spec.issuer !== issuer))
        throw new OidcRefusal(`catalog user '${name}' is not bound to this subject (set spec.subject to bind it)`);
      if (existing.spec.active === false) throw new OidcRefusal(`user '${name}' is deactivated`);
      // Users written in the catalog keep the roles written there; only IdP-provisioned ones follow the claims.
      if (existing.spec.source !== 'oidc') return existing;
    }
    const mapped = mapClaims(c, this.d.config.roleMapping);
    const spec: UserDoc['spec'] = {
      roles: mapped.roles,
      groups: mapped.groups,
      ...(typeof c.email === 'string' ? { email: c.email } : {}),
      source: 'oidc',
      issuer,
      subject: claims.sub,
    };
    if (!existing || !sameSpec(existing.spec, spec)) {
      const prev = this.inFlight.get(name) ?? Promise.resolve();
      const next = prev.then(() =>
        this.write(name, spec, existing ? 'user.oidc.updated' : 'user.oidc.provisioned', existing?.spec),
      );
      this.inFlight.set(name, next);
      try {
        await next;
      } finally {
        if (this.inFlight.get(name) === next) this.inFlight.delete(name);
      }
    }
    const user = this.d.catalog.user(name);
    if (!user) throw new OidcRefusal(`user '${name}' could not be provisioned`);
    return user;
  }

  private async write(name: string, spec: UserDoc['spec'], type: string, before?: UserDoc['spec']): Promise<void> {
    await this.d.catalog.apply(
      [{ source: 'oidc', value: { apiVersion: 'gatehouse/v1', kind: 'User', metadata: { name }, spec } }],
      `oidc:${spec.subject}`,
    );
    await this.d.audit.append({
      type,
      actor: `oidc:${spec.subject}`,
      data: { user: name, roles: spec.roles, groups: spec.groups, ...(before ? { previousRoles: before.roles } : {}) },
    });
  }
}

function sameSpec(a: UserDoc['spec'], b: UserDoc['spec']): boolean {
  return (
    a.roles.join() === b.roles.join() &&
    a.groups.join() === b.groups.join() &&
    a.email === b.email &&
    a.source === b.source &&
    a.issuer === b.issuer
  );
}
