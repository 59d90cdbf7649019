// Gateway keys in the store: app keys and service keys (team or user) as SHA-256 hashes with expiry, limits and
// metadata; create, list, show, rotate (old secret valid for a grace period) and revoke (broadcast to replicas).
import { createHash } from 'node:crypto';
import type { AppReader } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import { parseSeconds } from '../core/duration.js';
import { newId, newSecretToken } from '../core/ids.js';
import type { Coordination } from '../coord/coordination.js';
import type { SqlDb } from '../store/sql-db.js';
import { checkLimits, expiryOf, type KeyGrant, type KeyKind, type KeyLimits, type KeyMetadata } from './key-policy.js';

export const APP_KEY_PREFIX = 'ghk_';
export const REVOKED_CHANNEL = 'gateway.app-key.revoked';
const NAME_RE = /^[A-Za-z0-9._@:+-]{1,128}$/;

/** A key as listed and shown: never its secret nor its hash. */
export interface KeyInfo {
  id: string;
  kind: KeyKind;
  /** App keys: the app; service keys: unset (they name the app per request). */
  app?: string;
  /** dev, staging or prod; unset on a service key = any. */
  env?: string;
  /** Service keys: `team:<name>` or `user:<name>`. */
  owner?: string;
  name?: string;
  createdBy: string;
  createdAt: number;
  expiresAt?: number;
  rotatedAt?: number;
  revokedAt?: number;
  limits: KeyLimits;
  metadata: KeyMetadata;
}

export interface KeyCreateInput {
  kind: KeyKind;
  app?: string;
  team?: string;
  user?: string;
  env?: string;
  name?: string;
  /** `90d`, `12h`, seconds, or `never`; default 90 days. */
  ttl?: string;
  limits?: KeyLimits;
  metadata?: KeyMetadata;
}

export interface KeyFilter {
  app?: string;
  owner?: string;
  team?: string;
  includeRevoked?: boolean;
}

interface KeyRow {
  id: string;
  kind: string;
  app: string;
  env: string;
  owner: string | null;
  name: string | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  rotated_at: number | null;
  revoked_at: number | null;
  limits_json: string;
  metadata_json: string;
}

const COLS =
  'k.id, k.kind, k.app, k.env, k.owner, k.name, k.created_by, k.created_at, k.expires_at, k.rotated_at, k.revoked_at, k.limits_json, k.metadata_json';
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const num = (v: number | null) => (v === null || v === undefined ? undefined : Number(v));

function toInfo(r: KeyRow): KeyInfo {
  return {
    id: r.id,
    kind: r.kind === 'service' ? 'service' : 'app',
    ...(r.app ? { app: r.app } : {}),
    ...(r.env ? { env: r.env } : {}),
    ...(r.owner ? { owner: r.owner } : {}),
    ...(r.name ? { name: r.name } : {}),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    ...(num(r.expires_at) !== undefined ? { expiresAt: num(r.expires_at) } : {}),
    ...(num(r.rotated_at) !== undefined ? { rotatedAt: num(r.rotated_at) } : {}),
    ...(num(r.revoked_at) !== undefined ? { revokedAt: num(r.revoked_at) } : {}),
    limits: JSON.parse(r.limits_json || '{}') as KeyLimits,
    metadata: JSON.parse(r.metadata_json || '{}') as KeyMetadata,
  };
}

/** The grant the gateway enforces for a key row. */
export function grantOf(k: KeyInfo): KeyGrant {
  return { id: k.id, kind: k.kind, owner: k.owner, expiresAt: k.expiresAt, limits: k.limits, metadata: k.metadata };
}

function checkName(v: string | undefined, field: string): void {
  if (v !== undefined && !NAME_RE.test(v))
    throw new InvalidInputError(
      `${field} '${v.slice(0, 40)}' is not valid; use up to 128 letters, digits and . _ @ : + -.`,
      [{ path: field, message: 'invalid name' }],
    );
}

export class KeyStore {
  private readonly cache = new Map<string, { key: KeyInfo | null; until: number }>();

  constructor(
    private readonly db: SqlDb,
    private readonly apps: AppReader,
    private readonly coord: Coordination,
    private readonly clock: Clock,
  ) {}

  /** Drops every cached lookup (on revocation or rotation anywhere). */
  clearCache(): void {
    this.cache.clear();
  }

  async create(i: KeyCreateInput, createdBy: string): Promise<KeyInfo & { key: string }> {
    const now = this.clock.now();
    let app = '';
    let env = i.env ?? '';
    let owner: string | null = null;
    const metadata: KeyMetadata = { ...i.metadata };
    if (i.kind === 'app') {
      if (!i.app) throw new InvalidInputError('An app key needs its app.', [{ path: 'app', message: 'required' }]);
      const latest = (await this.apps.inForce(i.app)) ?? (await this.apps.latestVersion(i.app));
      if (!latest) throw new NotFoundError('App', i.app, 'submit its manifest first with `gatehouse app submit`');
      app = i.app;
      env = i.env ?? latest.manifest.spec.environment;
    } else {
      if (!!i.team === !!i.user)
        throw new InvalidInputError('A service key belongs to a team or a user: give exactly one of team, user.', [
          { path: 'team', message: 'give team or user' },
        ]);
      checkName(i.team ?? i.user, i.team ? 'team' : 'user');
      owner = i.team ? `team:${i.team}` : `user:${i.user}`;
      if (i.team) metadata.team ??= i.team;
    }
    if (env && !['dev', 'staging', 'prod'].includes(env))
      throw new InvalidInputError(`env '${env}' is not one of dev, staging, prod.`, [
        { path: 'env', message: 'use dev, staging or prod' },
      ]);
    checkName(i.name, 'name');
    checkName(metadata.team, 'team');
    const limits = checkLimits({ ...i.limits });
    const expiresAt = expiryOf(i.ttl, now);
    const key = newSecretToken(APP_KEY_PREFIX);
    const id = newId('key', now);
    await this.db.run(
      'INSERT INTO gateway_app_keys (id, app, env, key_hash, created_by, created_at, kind, owner, name, expires_at, limits_json, metadata_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        id,
        app,
        env,
        sha256(key),
        createdBy,
        now,
        i.kind,
        owner,
        i.name ?? null,
        expiresAt ?? null,
        JSON.stringify(limits),
        JSON.stringify(metadata),
      ],
    );
    return { ...(await this.show(id)), key };
  }

  async list(f: KeyFilter): Promise<KeyInfo[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.app !== undefined) {
      where.push('k.app = ?');
      params.push(f.app);
    }
    if (f.owner !== undefined) {
      where.push('k.owner = ?');
      params.push(f.owner);
    }
    if (!f.includeRevoked) where.push('k.revoked_at IS NULL');
    const rows = await this.db.all<KeyRow>(
      `SELECT ${COLS} FROM gateway_app_keys k${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY k.created_at`,
      params,
    );
    const keys = rows.map(toInfo);
    return f.team ? keys.filter((k) => k.metadata.team === f.team) : keys;
  }

  async show(id: string): Promise<KeyInfo> {
    const row = await this.db.get<KeyRow>(`SELECT ${COLS} FROM gateway_app_keys k WHERE k.id = ?`, [id]);
    if (!row) throw new NotFoundError('Key', id, 'list the keys with `gatehouse key list`');
    return toInfo(row);
  }

  /**
   * A new secret for the key; the old one keeps working for `grace` (default 0: at once it fails). The expiry moves
   * to `ttl` from now when given, else 90 days from now when the key had one (a never-expiring key stays so).
   */
  async rotate(id: string, grace?: string, ttl?: string): Promise<KeyInfo & { key: string; graceUntil?: number }> {
    const now = this.clock.now();
    const k = await this.show(id);
    if (k.revokedAt) throw new InvalidInputError(`Key ${id} is revoked; create a new key instead of rotating it.`);
    const graceMs = grace === undefined || grace === '0' || grace === '' ? 0 : parseSeconds(grace, 'grace') * 1000;
    const expiresAt =
      ttl !== undefined ? expiryOf(ttl, now) : k.expiresAt !== undefined ? expiryOf(undefined, now) : undefined;
    const key = newSecretToken(APP_KEY_PREFIX);
    await this.db.transaction(async (tx) => {
      const old = await tx.get<{ key_hash: string }>('SELECT key_hash FROM gateway_app_keys WHERE id = ?', [id]);
      if (graceMs > 0 && old)
        await tx.run('INSERT INTO gateway_key_grace (key_hash, key_id, valid_until) VALUES (?, ?, ?)', [
          old.key_hash,
          id,
          now + graceMs,
        ]);
      await tx.run('UPDATE gateway_app_keys SET key_hash = ?, rotated_at = ?, expires_at = ? WHERE id = ?', [
        sha256(key),
        now,
        expiresAt ?? null,
        id,
      ]);
    });
    await this.forget(id);
    return { ...(await this.show(id)), key, ...(graceMs > 0 ? { graceUntil: now + graceMs } : {}) };
  }

  async revoke(id: string): Promise<KeyInfo> {
    const r = await this.db.run('UPDATE gateway_app_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [
      this.clock.now(),
      id,
    ]);
    const k = await this.show(id);
    if (r.changes > 0) await this.forget(id);
    return k;
  }

  /** Clears this replica's cache and tells every other replica to clear theirs. */
  private async forget(id: string): Promise<void> {
    this.cache.clear();
    await this.coord.publish(REVOKED_CHANNEL, id);
  }

  /** The key a secret belongs to (its current secret, or an old one still in its grace period); null if none. */
  async lookup(secret: string): Promise<KeyInfo | null> {
    const now = this.clock.now();
    // Cached by the secret itself (memory only, at most 5 s, cleared on revocation and rotation on every replica).
    const c = this.cache.get(secret);
    if (c && c.until > now) return c.key;
    const hash = sha256(secret);
    let row = await this.db.get<KeyRow>(`SELECT ${COLS} FROM gateway_app_keys k WHERE k.key_hash = ?`, [hash]);
    let until = now + 5000;
    if (!row) {
      const g = await this.db.get<KeyRow & { valid_until: number }>(
        `SELECT ${COLS}, g.valid_until FROM gateway_key_grace g JOIN gateway_app_keys k ON k.id = g.key_id WHERE g.key_hash = ? AND g.valid_until > ?`,
        [hash, now],
      );
      if (g) until = Math.min(until, Number(g.valid_until));
      row = g;
    }
    const key = row ? toInfo(row) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(secret, { key, until });
    return key;
  }
}
