// Bearer tokens: the admin token from GATEHOUSE_HOME, and per-user API tokens bound to catalog users, each with
// scopes, an expiry (default from config; `never` for admins only, audited) and a last-used time.
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { newId, newSecretToken } from '../core/ids.js';
import { didYouMean } from '../core/suggest.js';
import type { AuditSink } from '../core/sinks.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { SqlDb } from '../store/sql-db.js';
import { hasAnyRole, type Principal, type Role } from './principal.js';
import { SCOPES, scopeAllows, type Scope } from './scopes.js';

export const ADMIN_USER = 'admin';

/** Reads GATEHOUSE_ADMIN_TOKEN or $home/admin-token, creating the file (mode 0600) on first start. */
export function ensureAdminToken(home: string, configured?: string): string {
  if (configured) return configured;
  const file = join(home, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const token = newSecretToken('gh_admin_');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** How long a token lookup is trusted before the store is asked again. */
export const CACHE_MS = 3000;

interface TokenRow {
  token_id: string;
  user_name: string;
  expires_at: number | null;
  revoked: number;
  scopes: string | null;
}

export interface TokenInfo {
  tokenId: string;
  user: string;
  scopes: Scope[];
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revoked: boolean;
}

export interface CreateTokenRequest {
  user: string;
  /** Default: every scope the creator's own token has. */
  scopes?: readonly Scope[];
  /** Milliseconds, or 'never' (admins only); default: the configured default expiry. */
  ttl?: number | 'never';
}

interface Cached {
  tokenId: string;
  user: string;
  expiresAt: number | null;
  scopes: Scope[] | undefined;
  until: number;
}

/** A user who is in the catalog and not deactivated (`spec.active: false`), or undefined. */
export function activeUser(catalog: CatalogReader, name: string) {
  const u = catalog.user(name);
  return u && u.spec.active !== false ? u : undefined;
}

export class TokenService {
  // Each entry is trusted for CACHE_MS only, so a revocation made on another replica holds there within seconds.
  private readonly cache = new Map<string, Cached>();
  private readonly adminDigest: Buffer;

  constructor(
    private readonly deps: {
      db: SqlDb;
      clock: Clock;
      catalog: CatalogReader;
      audit: AuditSink;
      adminToken: string;
      /** Expiry of tokens created without a ttl (default 30 days). */
      defaultTtlMs?: number;
    },
  ) {
    this.adminDigest = Buffer.from(sha256Hex(deps.adminToken), 'hex');
  }

  /** Creates a token for a catalog user; returns the token once (only its hash is stored). */
  async create(
    req: CreateTokenRequest,
    actor: Principal,
  ): Promise<{ token: string; tokenId: string; user: string; scopes: Scope[]; expiresAt: number | null }> {
    const { user } = req;
    const isAdmin = hasAnyRole(actor, ['admin']) && scopeAllows(actor.scopes, 'admin');
    if (!isAdmin && user !== actor.user)
      throw new ForbiddenError(
        `User '${actor.user}' may create tokens only for itself; ask an admin for a token for '${user}'.`,
      );
    if (this.deps.catalog.user(user)?.spec.active === false)
      throw new ForbiddenError(`User '${user}' is deactivated (spec.active: false); no token can be created for it.`);
    if (!activeUser(this.deps.catalog, user)) {
      const known = this.deps.catalog.list('User').map((u) => u.metadata.name);
      throw new InvalidInputError(
        `Unknown user '${user}' (${didYouMean(user, known)}); add a User document to the catalog first.`,
        [{ path: '--user', message: 'not in the catalog' }],
      );
    }
    const scopes = [...new Set(req.scopes ?? actor.scopes ?? SCOPES)];
    if (scopes.length === 0)
      throw new InvalidInputError('scopes must name at least one scope.', [{ path: 'scopes', message: 'empty' }]);
    // A token never mints a stronger token than itself.
    const beyond = scopes.filter((s) => !scopeAllows(actor.scopes, s));
    if (beyond.length)
      throw new ForbiddenError(
        `The token used has scopes ${actor.scopes?.join(', ')}; it cannot mint a token with ${beyond.join(', ')}.`,
      );
    const ttl = req.ttl ?? this.deps.defaultTtlMs ?? 30 * 86_400_000;
    if (ttl === 'never' && !isAdmin)
      throw new ForbiddenError('Only admins may create a token that never expires; give --ttl a duration such as 30d.');
    if (ttl !== 'never' && (!Number.isFinite(ttl) || ttl <= 0))
      throw new InvalidInputError('ttl must be a positive duration such as 12h or 30d, or never.', [
        { path: 'ttl', message: 'not a positive duration' },
      ]);
    // A token never outlives the credential that minted it (a 1 h CI exchange token cannot mint a 30-day one).
    if (ttl === 'never' && actor.expiresAt !== undefined)
      throw new ForbiddenError(
        'The token used expires, so it cannot mint a token that never expires; use the bootstrap admin token.',
      );
    const token = newSecretToken('gh_');
    const now = this.deps.clock.now();
    const tokenId = newId('tok', now);
    const expiresAt = ttl === 'never' ? null : Math.min(now + ttl, actor.expiresAt ?? Infinity);
    await this.deps.db.run(
      'INSERT INTO api_tokens (token_hash, token_id, user_name, created_at, created_by, expires_at, scopes) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [sha256Hex(token), tokenId, user, now, actor.user, expiresAt, JSON.stringify(scopes)],
    );
    await this.deps.audit.append({
      type: 'token.created',
      actor: actor.user,
      data: { tokenId, user, scopes, expiresAt, ...(expiresAt === null ? { neverExpires: true } : {}) },
    });
    return { token, tokenId, user, scopes, expiresAt };
  }

  /** The tokens of one user (never the secrets), newest first. */
  async list(user: string): Promise<TokenInfo[]> {
    const rows = await this.deps.db.all<
      TokenRow & { created_at: number; created_by: string; last_used_at: number | null }
    >(
      'SELECT token_id, user_name, expires_at, revoked, scopes, created_at, created_by, last_used_at FROM api_tokens WHERE user_name = ? ORDER BY created_at DESC',
      [user],
    );
    return rows.map((r) => ({
      tokenId: r.token_id,
      user: r.user_name,
      scopes: r.scopes ? (JSON.parse(r.scopes) as Scope[]) : [...SCOPES],
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
      revoked: Boolean(r.revoked),
    }));
  }

  /** Revokes a token; its owner or an admin may. */
  async revoke(tokenId: string, actor: Principal): Promise<void> {
    const row = await this.deps.db.get<{ user_name: string }>('SELECT user_name FROM api_tokens WHERE token_id = ?', [
      tokenId,
    ]);
    const isAdmin = hasAnyRole(actor, ['admin']) && scopeAllows(actor.scopes, 'admin');
    // Someone else's token reads as unknown, so ids cannot be probed.
    if (!row || (!isAdmin && row.user_name !== actor.user)) throw new NotFoundError('Token', tokenId);
    await this.deps.db.run('UPDATE api_tokens SET revoked = 1 WHERE token_id = ?', [tokenId]);
    this.cache.clear();
    await this.deps.audit.append({ type: 'token.revoked', actor: actor.user, data: { tokenId } });
  }

  /** Ids of unrevoked tokens that never expire, minted for users holding `role`. */
  async withoutExpiry(role: Role): Promise<string[]> {
    const rows = await this.deps.db.all<{ token_id: string; user_name: string }>(
      'SELECT token_id, user_name FROM api_tokens WHERE expires_at IS NULL AND revoked = 0',
    );
    return rows
      .filter((r) => this.deps.catalog.user(r.user_name)?.spec.roles.includes(role))
      .map((r) => `${r.token_id} (${r.user_name})`);
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const h = sha256Hex(token);
    // Compared as fixed-length digests in constant time, so response timing says nothing about the admin token.
    if (timingSafeEqual(Buffer.from(h, 'hex'), this.adminDigest))
      return { user: ADMIN_USER, roles: ['admin'], groups: [], via: 'admin-token' };
    const now = this.deps.clock.now();
    let entry = this.cache.get(h);
    if (!entry || entry.until <= now) {
      const row = await this.deps.db.get<TokenRow>(
        'SELECT token_id, user_name, expires_at, revoked, scopes FROM api_tokens WHERE token_hash = ?',
        [h],
      );
      if (!row || row.revoked) {
        this.cache.delete(h);
        return undefined;
      }
      const expiresAt = row.expires_at === null ? null : Number(row.expires_at);
      if (expiresAt !== null && expiresAt <= now) return undefined;
      // Last use is written when the store is read, so it is exact to within CACHE_MS without a write per request.
      await this.deps.db.run('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?', [now, h]);
      const scopes = row.scopes ? (JSON.parse(row.scopes) as Scope[]) : undefined;
      entry = { tokenId: row.token_id, user: row.user_name, expiresAt, scopes, until: now + CACHE_MS };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(h, entry);
    }
    if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined;
    // A user removed from the catalog, or deactivated, keeps no access.
    const u = activeUser(this.deps.catalog, entry.user);
    if (!u) return undefined;
    return {
      user: entry.user,
      roles: [...u.spec.roles],
      groups: [...u.spec.groups],
      ...(entry.scopes ? { scopes: [...entry.scopes] } : {}),
      ...(entry.expiresAt !== null ? { expiresAt: entry.expiresAt } : {}),
      via: entry.tokenId,
    };
  }
}
