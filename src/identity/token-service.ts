// Bearer tokens: the admin token from GATEHOUSE_HOME, and per-user API tokens bound to catalog users.
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { newId, newSecretToken } from '../core/ids.js';
import { didYouMean } from '../core/suggest.js';
import type { AuditSink } from '../core/sinks.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { SqlDb } from '../store/sql-db.js';
import type { Principal, Role } from './principal.js';

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
  user_name: string;
  expires_at: number | null;
  revoked: number;
}

export class TokenService {
  // Each entry is trusted for CACHE_MS only, so a revocation made on another replica holds there within seconds.
  private readonly cache = new Map<string, { user: string; expiresAt: number | null; until: number }>();
  private readonly adminDigest: Buffer;

  constructor(
    private readonly deps: { db: SqlDb; clock: Clock; catalog: CatalogReader; audit: AuditSink; adminToken: string },
  ) {
    this.adminDigest = Buffer.from(sha256Hex(deps.adminToken), 'hex');
  }

  /** Creates a token for a catalog user; returns the token once (only its hash is stored). */
  async create(
    user: string,
    actor: string,
    ttlMs?: number,
  ): Promise<{ token: string; tokenId: string; user: string; expiresAt: number | null }> {
    if (!this.deps.catalog.user(user)) {
      const known = this.deps.catalog.list('User').map((u) => u.metadata.name);
      throw new InvalidInputError(
        `Unknown user '${user}' (${didYouMean(user, known)}); add a User document to the catalog first.`,
        [{ path: '--user', message: 'not in the catalog' }],
      );
    }
    if (ttlMs !== undefined && (!Number.isFinite(ttlMs) || ttlMs <= 0))
      throw new InvalidInputError('ttl must be a positive duration such as 12h or 30d.');
    const token = newSecretToken('gh_');
    const tokenId = newId('tok', this.deps.clock.now());
    const expiresAt = ttlMs ? this.deps.clock.now() + ttlMs : null;
    await this.deps.db.run(
      'INSERT INTO api_tokens (token_hash, token_id, user_name, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [sha256Hex(token), tokenId, user, this.deps.clock.now(), actor, expiresAt],
    );
    await this.deps.audit.append({ type: 'token.created', actor, data: { tokenId, user, expiresAt } });
    return { token, tokenId, user, expiresAt };
  }

  async revoke(tokenId: string, actor: string): Promise<void> {
    const r = await this.deps.db.run('UPDATE api_tokens SET revoked = 1 WHERE token_id = ?', [tokenId]);
    if (r.changes === 0) throw new NotFoundError('Token', tokenId);
    this.cache.clear();
    await this.deps.audit.append({ type: 'token.revoked', actor, data: { tokenId } });
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
      return { user: ADMIN_USER, roles: ['admin'], groups: [] };
    const now = this.deps.clock.now();
    let entry = this.cache.get(h);
    if (!entry || entry.until <= now) {
      const row = await this.deps.db.get<TokenRow>(
        'SELECT user_name, expires_at, revoked FROM api_tokens WHERE token_hash = ?',
        [h],
      );
      if (!row || row.revoked) {
        this.cache.delete(h);
        return undefined;
      }
      entry = { user: row.user_name, expiresAt: row.expires_at, until: now + CACHE_MS };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(h, entry);
    }
    if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined;
    const u = this.deps.catalog.user(entry.user);
    // A user removed from the catalog keeps no access.
    if (!u) return undefined;
    return { user: entry.user, roles: [...u.spec.roles], groups: [...u.spec.groups] };
  }
}
