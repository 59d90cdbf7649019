// Tables of identity: API tokens (stored as SHA-256 hashes, never in the clear).
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
];
