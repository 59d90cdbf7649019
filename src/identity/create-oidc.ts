// Builds the OIDC side of identity from `identity.oidc` (absent = IdP tokens are not accepted).
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { OidcConfig } from './identity-config.js';
import { OidcAuthenticator, type UserProvisioningCatalog } from './oidc-authenticator.js';
import { OidcVerifier } from './oidc-verifier.js';

export interface OidcFeature {
  config: OidcConfig;
  verifier: OidcVerifier;
  authenticator: OidcAuthenticator;
}

export function createOidc(
  config: OidcConfig | undefined,
  deps: { clock: Clock; logger: Logger; audit: AuditSink; catalog: UserProvisioningCatalog },
): OidcFeature | undefined {
  if (!config) return undefined;
  const verifier = new OidcVerifier({
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    clock: deps.clock,
    jwksCooldownMs: config.jwksCooldownMs,
  });
  return { config, verifier, authenticator: new OidcAuthenticator({ ...deps, verifier, config }) };
}
