// Who is calling the gateway: app keys (stored as SHA-256 hashes), short-lived signed session tokens (jose, HS256)
// bound to app, version, user and session id, and platform identities (IdP JWTs, gateway-scoped API tokens) naming
// the app in a header. Resolves each to a Caller with the app's version in force.
import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { parseSeconds } from '../core/duration.js';
import type { AppReader, AppVersion } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthenticatedError } from '../core/errors.js';
import { newId, newSecretToken } from '../core/ids.js';
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

export const APP_KEY_PREFIX = 'ghk_';
const REVOKED_CHANNEL = 'gateway.app-key.revoked';
const ISSUER = 'gatehouse';
const AUDIENCE = 'gatehouse-gateway';
const USER_RE = /^[A-Za-z0-9._@:+-]{1,128}$/;

export interface AppKeyInfo {
  id: string;
  app: string;
  env: string;
  createdBy: string;
  createdAt: number;
  revokedAt?: number;
}

interface KeyRow {
  id: string;
  app: string;
  env: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toInfo = (r: KeyRow): AppKeyInfo => ({
  id: r.id,
  app: r.app,
  env: r.env,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  ...(r.revoked_at ? { revokedAt: Number(r.revoked_at) } : {}),
});

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
}

export class Credentials {
  private readonly keyCache = new Map<string, { row: KeyRow | null; until: number }>();
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly d: CredentialsDeps) {}

  async start(): Promise<void> {
    // Revocation on any replica clears the cached key on every replica at once.
    this.unsubscribe = await this.d.coord.subscribe(REVOKED_CHANNEL, () => this.keyCache.clear());
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

  async createKey(app: string, env: string | undefined, createdBy: string): Promise<AppKeyInfo & { key: string }> {
    const latest = (await this.d.apps.inForce(app)) ?? (await this.d.apps.latestVersion(app));
    if (!latest) throw new NotFoundError('App', app, 'submit its manifest first with `gatehouse app submit`');
    const e = env ?? latest.manifest.spec.environment;
    if (!['dev', 'staging', 'prod'].includes(e))
      throw new InvalidInputError(`env '${e}' is not one of dev, staging, prod.`, [
        { path: 'env', message: 'use dev, staging or prod' },
      ]);
    const key = newSecretToken(APP_KEY_PREFIX);
    const id = newId('key', this.d.clock.now());
    const now = this.d.clock.now();
    await this.d.db.run(
      'INSERT INTO gateway_app_keys (id, app, env, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, app, e, sha256(key), createdBy, now],
    );
    return { id, app, env: e, createdBy, createdAt: now, key };
  }

  async listKeys(app: string): Promise<AppKeyInfo[]> {
    const rows = await this.d.db.all<KeyRow>(
      'SELECT id, app, env, created_by, created_at, revoked_at FROM gateway_app_keys WHERE app = ? ORDER BY created_at',
      [app],
    );
    return rows.map(toInfo);
  }

  async revokeKey(app: string, id: string): Promise<AppKeyInfo> {
    const r = await this.d.db.run(
      'UPDATE gateway_app_keys SET revoked_at = ? WHERE app = ? AND id = ? AND revoked_at IS NULL',
      [this.d.clock.now(), app, id],
    );
    const row = await this.d.db.get<KeyRow>(
      'SELECT id, app, env, created_by, created_at, revoked_at FROM gateway_app_keys WHERE app = ? AND id = ?',
      [app, id],
    );
    if (!row)
      throw new NotFoundError('App key', id, `list the keys of '${app}' with \`gatehouse app key list ${app}\``);
    this.keyCache.clear();
    if (r.changes > 0) await this.d.coord.publish(REVOKED_CHANNEL, id);
    return toInfo(row);
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
  async resolve(token: string | undefined, userHint?: string, app?: string): Promise<Caller> {
    if (!token)
      throw new UnauthenticatedError(
        'Missing API key: send your Gatehouse app key or session token as the API key (Authorization: Bearer or x-api-key).',
      );
    if (token.startsWith(APP_KEY_PREFIX)) return this.withUser(await this.fromAppKey(token), userHint);
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
    if (!USER_RE.test(userHint))
      throw new InvalidInputError(
        `user '${userHint.slice(0, 40)}' is not a valid user id; use up to 128 letters, digits and . _ @ : + -.`,
        [{ path: 'user', message: 'invalid user id' }],
      );
    return { ...caller, user: userHint };
  }

  private async fromAppKey(token: string): Promise<Caller> {
    const now = this.d.clock.now();
    // Cached by the key itself (memory only, 5 s, cleared on revocation) so the hot path skips hashing and the store.
    let c = this.keyCache.get(token);
    if (!c || c.until <= now) {
      const row = await this.d.db.get<KeyRow>(
        'SELECT id, app, env, created_by, created_at, revoked_at FROM gateway_app_keys WHERE key_hash = ?',
        [sha256(token)],
      );
      c = { row: row ?? null, until: now + 5000 };
      if (this.keyCache.size > 10_000) this.keyCache.clear();
      this.keyCache.set(token, c);
    }
    const row = c.row;
    if (!row) throw new UnauthenticatedError('Unknown app key; create one with `gatehouse app key create <app>`.');
    if (row.revoked_at)
      throw new UnauthenticatedError(
        `App key ${row.id} of app '${row.app}' was revoked; create a new one with \`gatehouse app key create ${row.app}\`.`,
      );
    const v = await this.requireInForce(row.app);
    if (v.manifest.spec.environment !== row.env)
      throw new ForbiddenError(
        `This app key is for ${row.env}, but app '${row.app}' version ${v.version} in force runs in ${v.manifest.spec.environment}; use a key created with --env ${v.manifest.spec.environment}.`,
      );
    return { app: row.app, version: v, user: `app:${row.app}`, via: row.id };
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
