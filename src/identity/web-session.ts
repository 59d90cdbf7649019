// Browser sessions after OIDC sign-in: a random id in an HttpOnly SameSite=Strict cookie, its hash in the store;
// the user's roles are read from the catalog on every request, so a role change or deactivation holds at once.
// Also the sign-ins in progress (state, nonce, PKCE verifier), each usable once and for ten minutes.
import type { Clock } from '../core/clock.js';
import { sha256Hex } from '../core/hash.js';
import { newSecretToken } from '../core/ids.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { SqlDb } from '../store/sql-db.js';
import type { Principal } from './principal.js';
import { activeUser } from './token-service.js';

export const SESSION_COOKIE = 'gh_session';
const STATE_TTL_MS = 10 * 60_000;

export interface PendingSignIn {
  nonce: string;
  verifier: string;
  returnTo: string;
}

export class WebSessions {
  constructor(private readonly d: { db: SqlDb; clock: Clock; catalog: CatalogReader }) {}

  async create(user: string, ttlMs: number): Promise<{ id: string; expiresAt: number }> {
    const id = newSecretToken('ghs_', 32);
    const now = this.d.clock.now();
    await this.d.db.run(
      'INSERT INTO identity_sessions (session_hash, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)',
      [sha256Hex(id), user, now, now + ttlMs],
    );
    return { id, expiresAt: now + ttlMs };
  }

  async resolve(id: string): Promise<Principal | undefined> {
    const row = await this.d.db.get<{ user_name: string; expires_at: number; revoked: number }>(
      'SELECT user_name, expires_at, revoked FROM identity_sessions WHERE session_hash = ?',
      [sha256Hex(id)],
    );
    if (!row || row.revoked || Number(row.expires_at) <= this.d.clock.now()) return undefined;
    const u = activeUser(this.d.catalog, row.user_name);
    if (!u) return undefined;
    return { user: row.user_name, roles: [...u.spec.roles], groups: [...u.spec.groups], via: 'session' };
  }

  async revoke(id: string): Promise<void> {
    await this.d.db.run('UPDATE identity_sessions SET revoked = 1 WHERE session_hash = ?', [sha256Hex(id)]);
  }

  async saveSignIn(state: string, p: PendingSignIn): Promise<void> {
    const now = this.d.clock.now();
    await this.d.db.run('DELETE FROM identity_login_states WHERE created_at < ?', [now - STATE_TTL_MS]);
    await this.d.db.run(
      'INSERT INTO identity_login_states (state, nonce, verifier, return_to, created_at) VALUES (?, ?, ?, ?, ?)',
      [state, p.nonce, p.verifier, p.returnTo, now],
    );
  }

  /** The sign-in for `state`, deleted as it is read: a replayed callback finds nothing. */
  async takeSignIn(state: string): Promise<PendingSignIn | undefined> {
    const row = await this.d.db.get<{ nonce: string; verifier: string; return_to: string; created_at: number }>(
      'SELECT nonce, verifier, return_to, created_at FROM identity_login_states WHERE state = ?',
      [state],
    );
    if (!row) return undefined;
    const del = await this.d.db.run('DELETE FROM identity_login_states WHERE state = ?', [state]);
    // Two callbacks racing with one state: only the one whose delete counted wins.
    if (del.changes !== 1 || Number(row.created_at) + STATE_TTL_MS <= this.d.clock.now()) return undefined;
    return { nonce: row.nonce, verifier: row.verifier, returnTo: row.return_to };
  }
}
