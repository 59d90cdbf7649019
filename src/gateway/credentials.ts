// Who is calling the gateway: app keys (stored as SHA-256 hashes), short-lived signed session tokens (jose, HS256)
// bound to app, version, user and session id, and platform identities (IdP JWTs, gateway-scoped API tokens) naming
// the app in a header. Resolves each to a Caller with the app's version in force.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { parseSeconds } from '../core/duration.js';
import type { AppReader, AppVersion } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import {
  ForbiddenError,
  GatehouseError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
} from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AuditSink } from '../core/sinks.js';
import { checkKeyAccess, clientIp, serviceAppOf, type SourceAddress } from './key-policy.js';
import { APP_KEY_PREFIX, grantOf, KeyStore, REVOKED_CHANNEL, type KeyCreateInput, type KeyInfo } from './key-store.js';
import type { Coordination } from '../coord/coordination.js';
import type { SqlDb } from '../store/sql-db.js';
import type { Caller } from './gateway-types.js';
import type { Principal } from '../identity/principal.js';
import { scopeAllows } from '../identity/scopes.js';
import { looksLikeJwt } from '../identity/jwt-shape.js';

/** Our session tokens are HS256 JWTs; IdP tokens are signed with keys (RS/ES/EdDSA) and gh_ tokens are not JWTs. */
function isSessionShaped(token: string): boolean {
  if (!looksLikeJwt(token)) return false;
  try {
    return (
      (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { alg?: unknown }).alg === 'HS256'
    );
  } catch {
    return false;
  }
}

export { APP_KEY_PREFIX };
const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse-gateway';
const USER_RE = /^[A-Za-z0-9._@:+-]{1,128}$/;

/** An app key as the `gatehouse app key` commands show it (a KeyInfo of kind app). */
export type AppKeyInfo = KeyInfo;

/** A session TTL: `15m`, `2h`, `30s`, `1d` or plain seconds, at most `maxSeconds`. */
export function parseTtl(ttl: string | number, maxSeconds: number): number {
  const secs = parseSeconds(ttl, 'ttl');
  if (secs > maxSeconds)
    throw new InvalidInputError(
      `ttl '${ttl}' is longer than the maximum of ${maxSeconds}s for sessions; pick a shorter one.`,
      [{ path: 'ttl', message: `at most ${maxSeconds} seconds` }],
    );
  return secs;
}

export interface CredentialsDeps {
  db: SqlDb;
  apps: AppReader;
  coord: Coordination;
  clock: Clock;
  /** HMAC secret for session tokens (32+ bytes). */
  sessionSecret: Uint8Array;
  maxSessionTtlSeconds: number;
  /**
   * Platform identities at the gateway: IdP access tokens (JWT) and Gatehouse API tokens with the `gateway` scope.
   * The user is the identity's; the app comes from the x-gatehouse-app header. Absent = app keys and sessions only.
   */
  identity?: (token: string) => Promise<Principal | undefined>;
  /** Where a refused key (expired, revoked, outside its networks) is recorded with its decision id. */
  audit?: AuditSink;
  /** Proxies whose X-Forwarded-For is believed for key network checks (gateway config trustedProxies). */
  trustedProxies?: string[];
}

export class Credentials {
  readonly keys: KeyStore;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly d: CredentialsDeps) {
    this.keys = new KeyStore(d.db, d.apps, d.coord, d.clock);
  }

  async start(): Promise<void> {
    // Revocation or rotation on any replica clears the cached keys on every replica at once.
    this.unsubscribe = await this.d.coord.subscribe(REVOKED_CHANNEL, () => this.keys.clearCache());
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** The app's version in force (the apps service keeps versions in memory and drops them on every change). */
  inForce(app: string): Promise<AppVersion | undefined> {
    return this.d.apps.inForce(app);
  }

  private async requireInForce(app: string): Promise<AppVersion> {
    const v = await this.inForce(app);
    if (!v)
      throw new ForbiddenError(
        `App '${app}' has no version in force (it must be released, or approved in dev, and not killed); submit it and get it approved first.`,
      );
    return v;
  }

  /** An app key (the `gatehouse app key create` path); `opts` carries the limits every key may have. */
  createKey(
    app: string,
    env: string | undefined,
    createdBy: string,
    opts: Omit<KeyCreateInput, 'kind' | 'app' | 'env'> = {},
  ): Promise<KeyInfo & { key: string }> {
    return this.keys.create({ ...opts, kind: 'app', app, env }, createdBy);
  }

  listKeys(app: string): Promise<KeyInfo[]> {
    return this.keys.list({ app, includeRevoked: true });
  }

  async revokeKey(app: string, id: string): Promise<KeyInfo> {
    const k = await this.keys.show(id).catch(() => undefined);
    if (!k || k.app !== app)
      throw new NotFoundError('App key', id, `list the keys of '${app}' with \`gatehouse app key list ${app}\``);
    return this.keys.revoke(id);
  }

  async createSession(
    app: string,
    user: string,
    ttl: string | number,
  ): Promise<{ token: string; sessionId: string; app: string; version: number; user: string; expiresAt: number }> {
    if (!USER_RE.test(user))
      throw new InvalidInputError(
        `user '${user}' is not a valid user id; use up to 128 letters, digits and . _ @ : + -.`,
        [{ path: 'user', message: 'invalid user id' }],
      );
    const v = await this.requireInForce(app);
    const secs = parseTtl(ttl, this.d.maxSessionTtlSeconds);
    const sessionId = newId('ses', this.d.clock.now());
    const iat = Math.floor(this.d.clock.now() / 1000);
    const token = await new SignJWT({ app, ver: v.version, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + secs)
      .sign(this.d.sessionSecret);
    return { token, sessionId, app, version: v.version, user, expiresAt: (iat + secs) * 1000 };
  }

  /** Resolves a bearer token (app key or session token); `userHint` attributes calls made with a plain app key. */
  async resolve(
    token: string | undefined,
    userHint?: string,
    app?: string,
    source?: () => SourceAddress,
  ): Promise<Caller> {
    if (!token)
      throw new UnauthenticatedError(
        'Missing API key: send your Gatehouse app key or session token as the API key (Authorization: Bearer or x-api-key).',
      );
    if (token.startsWith(APP_KEY_PREFIX)) return this.withUser(await this.fromKey(token, app, source), userHint);
    if (this.d.identity && !isSessionShaped(token)) return this.fromIdentity(token, app);
    return this.fromSession(token);
  }

  private async fromIdentity(token: string, app: string | undefined): Promise<Caller> {
    const p = await this.d.identity!(token);
    if (!p)
      throw new UnauthenticatedError(
        'Invalid API key: not an app key, a session token, an API token or an accepted identity-provider token.',
      );
    if (!scopeAllows(p.scopes, 'gateway'))
      throw new ForbiddenError(
        `This API token has scopes ${p.scopes?.join(', ')}; calling models needs 'gateway' (gatehouse token create --scope gateway).`,
      );
    if (!app)
      throw new InvalidInputError('Calling as a user needs the app: send the header x-gatehouse-app: <app>.', [
        { path: 'x-gatehouse-app', message: 'required with a user token' },
      ]);
    const v = await this.requireInForce(app);
    return { app, version: v, user: p.user, via: 'identity' };
  }

  /**
   * The caller acting for the request's end user. Only app keys take a user from the request; a session's user is
   * fixed by its token. Lets a surface authenticate before it reads the body that names the user.
   */
  withUser(caller: Caller, userHint: string | undefined): Caller {
    if (caller.via === 'session' || caller.via === 'identity' || userHint === undefined) return caller;
    // A user's service key authenticates that user: a request cannot name another one.
    if (caller.key?.owner?.startsWith('user:')) return caller;
    // A key pasted into the user field would land in audit entries and telemetry: refuse it, never record it.
    if (userHint.startsWith(APP_KEY_PREFIX))
      throw new InvalidInputError('user looks like a Gatehouse key (ghk_...); send an end-user id, never a key.', [
        { path: 'user', message: 'must not be a key' },
      ]);
    if (!USER_RE.test(userHint))
      throw new InvalidInputError(
        `user '${userHint.slice(0, 40)}' is not a valid user id; use up to 128 letters, digits and . _ @ : + -.`,
        [{ path: 'user', message: 'invalid user id' }],
      );
    return { ...caller, user: userHint };
  }

  /** An app key or a service key: known, not revoked, not expired, used from an allowed network. */
  private async fromKey(token: string, app: string | undefined, source?: () => SourceAddress): Promise<Caller> {
    const k = await this.keys.lookup(token);
    if (!k) throw new UnauthenticatedError('Unknown app key or service key; create one with `gatehouse key create`.');
    // The source address is read only for keys that limit their networks.
    const sourceIp = k.limits.cidrs?.length ? clientIp(source?.() ?? {}, this.d.trustedProxies ?? []) : undefined;
    try {
      if (k.revokedAt)
        throw new UnauthenticatedError(
          `Key ${k.id} was revoked at ${new Date(k.revokedAt).toISOString()}; create a new one with \`gatehouse key create\`.`,
        );
      const grant = grantOf(k);
      checkKeyAccess(grant, this.d.clock.now(), sourceIp);
      const target = k.kind === 'app' ? k.app! : serviceAppOf(grantOf(k), app);
      const v = await this.requireInForce(target);
      const env = k.env;
      if (env && v.manifest.spec.environment !== env)
        throw new ForbiddenError(
          `Key ${k.id} is for ${env}, but app '${target}' version ${v.version} in force runs in ${v.manifest.spec.environment}; use a key created with --env ${v.manifest.spec.environment}.`,
        );
      const user = k.owner?.startsWith('user:') ? k.owner.slice(5) : k.owner ? k.owner : `app:${target}`;
      return { app: target, version: v, user, via: k.id, key: grant };
    } catch (err) {
      // A refusal of a known key carries a decision id, recorded in the audit log with the key id and the reason.
      if (err instanceof GatehouseError) await this.recordRefusal(err, k, app, sourceIp);
      throw err;
    }
  }

  private async recordRefusal(err: GatehouseError, k: KeyInfo, app: string | undefined, ip: string | undefined) {
    const decisionId = newId('dec', this.d.clock.now());
    err.extra.decisionId = decisionId;
    err.extra.keyId = k.id;
    await this.d.audit
      ?.append({
        type: 'gateway.key.refused',
        actor: k.owner ?? `app:${k.app}`,
        ...((k.app ?? app) ? { app: k.app ?? app } : {}),
        ids: { decisionId },
        data: {
          keyId: k.id,
          kind: k.kind,
          status: err.status,
          code: err.code,
          reason: err.message,
          sourceIp: ip ?? null,
        },
      })
      .catch(() => undefined);
  }

  private async fromSession(token: string): Promise<Caller> {
    let claims: { app?: unknown; ver?: unknown; sid?: unknown; sub?: string };
    try {
      ({ payload: claims } = await jwtVerify(token, this.d.sessionSecret, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
        // A session without expiry would be a permanent credential; we always mint exp, so demand it back.
        requiredClaims: ['exp', 'iat'],
        currentDate: new Date(this.d.clock.now()),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new UnauthenticatedError(
          'Session token expired; mint a new one with POST /api/v1/sessions or `gatehouse session create`.',
        );
      throw new UnauthenticatedError('Invalid API key: not a Gatehouse app key (ghk_...) nor a valid session token.');
    }
    if (
      typeof claims.app !== 'string' ||
      typeof claims.ver !== 'number' ||
      typeof claims.sid !== 'string' ||
      !claims.sub
    )
      throw new UnauthenticatedError('Session token is missing app, version, session or user claims; mint a new one.');
    const v = await this.requireInForce(claims.app);
    if (v.version !== claims.ver)
      throw new ForbiddenError(
        `Session was minted for app '${claims.app}' version ${claims.ver}, which is no longer in force (version ${v.version} is); mint a new session.`,
      );
    return { app: claims.app, version: v, user: claims.sub, session: claims.sid, via: 'session' };
  }
}
