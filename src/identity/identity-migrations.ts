// Tables of identity: API tokens (stored as SHA-256 hashes, never in the clear), their scopes and last use;
// browser sessions and sign-ins in progress.
import type { Migration } from '../store/sql-db.js';

export const identityMigrations: Migration[] = [
  {
    id: 'identity-001',
    sql: `CREATE TABLE api_tokens (
      token_hash TEXT PRIMARY KEY,
      token_id TEXT NOT NULL UNIQUE,
      user_name TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      created_by TEXT NOT NULL,
      expires_at BIGINT,
      revoked INTEGER NOT NULL DEFAULT 0
    )`,
  },
  // Scopes as a JSON array; NULL = a token from before scopes, unrestricted (its user's roles still apply).
  { id: 'identity-002', sql: 'ALTER TABLE api_tokens ADD COLUMN scopes TEXT' },
  { id: 'identity-003', sql: 'ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT' },
  // Browser sessions after OIDC sign-in: the cookie holds a random id, the store its hash.
  {
    id: 'identity-004',
    sql: `CREATE TABLE identity_sessions (
      session_hash TEXT PRIMARY KEY,
      user_name TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      revoked INTEGER NOT NULL DEFAULT 0
    )`,
  },
  // Sign-ins in progress (state, nonce, PKCE verifier), kept server-side so any replica can finish one, used once.
  {
    id: 'identity-005',
    sql: `CREATE TABLE identity_login_states (
      state TEXT PRIMARY KEY,
      nonce TEXT NOT NULL,
      verifier TEXT NOT NULL,
      return_to TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
  },
];
