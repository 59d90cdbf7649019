// Opens the configured store: PostgreSQL when a URL is given, else the SQLite file in GATEHOUSE_HOME.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../core/errors.js';
import { PostgresDb } from './postgres-db.js';
import { SqliteDb } from './sqlite-db.js';
import type { SqlDb } from './sql-db.js';

export async function openDb(opts: { home: string; databaseUrl?: string; schema?: string }): Promise<SqlDb> {
  if (opts.databaseUrl) {
    try {
      return await PostgresDb.connect(opts.databaseUrl, opts.schema);
    } catch (err) {
      const u = new URL(opts.databaseUrl);
      throw new UnavailableError(
        `Cannot connect to PostgreSQL at ${u.host}${u.pathname}: ${(err as Error).message}. Check GATEHOUSE_DATABASE_URL or unset it to use the embedded SQLite store.`,
      );
    }
  }
  mkdirSync(opts.home, { recursive: true, mode: 0o700 });
  return new SqliteDb(join(opts.home, 'gatehouse.db'));
}
