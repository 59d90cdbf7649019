// Tables of apps: immutable versions (manifest + code, named by content hash) and their lifecycle state.
import type { Migration } from '../store/sql-db.js';

export const appMigrations: Migration[] = [
  {
    id: 'apps-001',
    sql: `CREATE TABLE app_versions (
      app TEXT NOT NULL,
      version INTEGER NOT NULL,
      hash TEXT NOT NULL,
      manifest TEXT NOT NULL,
      code TEXT NOT NULL,
      state TEXT NOT NULL,
      submitted_by TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      state_changed_at BIGINT NOT NULL,
      PRIMARY KEY (app, version),
      UNIQUE (app, hash)
    );
    CREATE INDEX app_versions_state ON app_versions (app, state)`,
  },
];
