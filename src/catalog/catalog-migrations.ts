// Tables of the catalog: one row per (kind, name) document.
import type { Migration } from '../store/sql-db.js';

export const catalogMigrations: Migration[] = [
  {
    id: 'catalog-001',
    sql: `CREATE TABLE catalog_entries (
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      doc TEXT NOT NULL,
      hash TEXT NOT NULL,
      updated_at BIGINT NOT NULL,
      updated_by TEXT NOT NULL,
      PRIMARY KEY (kind, name)
    )`,
  },
];
