// Identity assembled for the composition root: API tokens, the OIDC verifier and JIT users, browser sessions, the
// workload token exchange; one bearer authenticator, the cookie authenticator, routes and raw mounts.
import type { Hono } from 'hono';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import { createOidc, type OidcFeature } from './create-oidc.js';
import { exchangeRouteDoc, mountTokenExchange } from './exchange-mount.js';
import type { IdentityConfig } from './identity-config.js';
import { identityRoutes } from './identity-routes.js';
import { looksLikeJwt } from './jwt-shape.js';
import type { UserProvisioningCatalog } from './oidc-authenticator.js';
import type { Principal } from './principal.js';
import { TokenExchange } from './token-exchange.js';
import { TokenService } from './token-service.js';
import { WebSessions } from './web-session.js';
import { mountWebSignIn, webSignInRouteDocs } from './web-sign-in.js';
import type { RawRouteDoc } from '../http/route.js';

export interface IdentityFeature {
  tokens: TokenService;
  oidc: OidcFeature | undefined;
  routes: AnyRoute[];
  mounts: Array<(app: Hono) => void>;
  /** OpenAPI entries of the raw mounts, the same set as `mounts`. */
  docs: RawRouteDoc[];
  /** Bearer tokens: IdP JWTs go to the OIDC verifier, Gatehouse tokens (gh_..., never JWTs) to the token store. */
  authenticate(token: string): Promise<Principal | undefined>;
  /** Browser session cookies; undefined when browser sign-in is not configured. */
  authenticateSession: ((sessionId: string) => Promise<Principal | undefined>) | undefined;
}

export function createIdentity(d: {
  config: IdentityConfig;
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
  catalog: CatalogReader & UserProvisioningCatalog;
  adminToken: string;
}): IdentityFeature {
  const { db, clock, logger, audit, catalog } = d;
  const tokens = new TokenService({
    db,
    clock,
    catalog,
    audit,
    adminToken: d.adminToken,
    defaultTtlMs: parseDuration(d.config.tokens.defaultTtl, 'identity.tokens.defaultTtl'),
  });
  const oidc = createOidc(d.config.oidc, { clock, logger, audit, catalog });
  const sessions = new WebSessions({ db, clock, catalog });
  const exchange = new TokenExchange({
    catalog,
    tokens,
    audit,
    clock,
    logger,
    jwksCooldownMs: d.config.exchange.jwksCooldownMs,
  });
  return {
    tokens,
    oidc,
    routes: identityRoutes(tokens, oidc),
    mounts: [
      (a) => mountTokenExchange(a, exchange, logger),
      ...(oidc ? [(a: Hono) => mountWebSignIn(a, { oidc, sessions, audit, logger })] : []),
    ],
    docs: [exchangeRouteDoc, ...(oidc ? webSignInRouteDocs : [])],
    authenticate: (token) =>
      oidc && looksLikeJwt(token) ? oidc.authenticator.authenticate(token) : tokens.authenticate(token),
    authenticateSession: oidc?.config.web ? (id) => sessions.resolve(id) : undefined,
  };
}
