// Tables of the audit log: entries (leaves), stored complete-subtree hashes for fast proofs, and signed checkpoints.
import type { Migration } from '../store/sql-db.js';

export const auditMigrations: Migration[] = [
  {
    id: 'audit-001-log',
    sql: `
CREATE TABLE audit_entries (
  idx BIGINT PRIMARY KEY,
  leaf {{BLOB}} NOT NULL,
  leaf_hash {{BLOB}} NOT NULL,
  type TEXT NOT NULL,
  app TEXT,
  time BIGINT NOT NULL
);
CREATE INDEX audit_entries_type ON audit_entries (type, idx);
CREATE INDEX audit_entries_app ON audit_entries (app, idx);
CREATE TABLE audit_nodes (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash {{BLOB}} NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE audit_checkpoints (
  size BIGINT PRIMARY KEY,
  root {{BLOB}} NOT NULL,
  note TEXT NOT NULL,
  time BIGINT NOT NULL
)`,
  },
  {
    // Subtree hashes move onto the entry row that completes them: one row per append instead of two.
    id: 'audit-002-subtrees-on-entries',
    sql: `
DROP TABLE audit_nodes;
ALTER TABLE audit_entries ADD COLUMN subtrees {{BLOB}}`,
  },
];
