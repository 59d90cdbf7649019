// Test helper: the store implementations a contract suite runs against (a real SQLite file and the
// PostgreSQL server from GATEHOUSE_TEST_DATABASE_URL). PostgreSQL down fails in CI; elsewhere it is skipped loudly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PostgresDb } from '../store/postgres-db.js';
import { SqliteDb } from '../store/sqlite-db.js';
import { migrate, type Migration, type SqlDb } from '../store/sql-db.js';

import { missing, POSTGRES, TEST_PG_URL } from './requires.js';

export { TEST_PG_URL };

/** The stores whole-platform tests run on: SQLite, and PostgreSQL unless it is missing outside CI. */
export const testStores: ('sqlite' | 'postgres')[] = (await missing(POSTGRES)) ? ['sqlite'] : ['sqlite', 'postgres'];

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated database; `cleanup` drops it. */
  open(migrations?: readonly Migration[]): Promise<{
    db: SqlDb;
    cleanup(): Promise<void>;
    home: string;
    /** Another connection to the same database, as a second replica has (the caller closes it). */
    connectAgain(): Promise<SqlDb>;
  }>;
}

export function tempDir(prefix = 'gatehouse-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const allDatabases: TestDatabase[] = [
  {
    name: 'sqlite',
    async open(migrations = []) {
      const home = tempDir();
      const db = new SqliteDb(join(home, 'gatehouse.db'));
      await migrate(db, migrations);
      return {
        db,
        home,
        connectAgain: async () => new SqliteDb(join(home, 'gatehouse.db')),
        cleanup: async () => {
          await db.close();
          rmSync(home, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open(migrations = []) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const db = await PostgresDb.connect(TEST_PG_URL, schema);
      await migrate(db, migrations);
      const home = tempDir();
      return {
        db,
        home,
        connectAgain: () => PostgresDb.connect(TEST_PG_URL, schema),
        cleanup: async () => {
          await db.run(`DROP SCHEMA ${schema} CASCADE`);
          await db.close();
          rmSync(home, { recursive: true, force: true });
        },
      };
    },
  },
];

/** The stores a contract suite runs against: SQLite, and PostgreSQL unless it is missing outside CI. */
export const testDatabases: TestDatabase[] = allDatabases.filter((d) => testStores.includes(d.name));

/** A fresh PostgreSQL schema name for a whole-service test (createGatehouse's pgSchema option). */
export function freshPgSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export async function dropPgSchema(schema: string): Promise<void> {
  const db = await PostgresDb.connect(TEST_PG_URL);
  try {
    await db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await db.close();
  }
}
