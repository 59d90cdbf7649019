// The store contract: a small async SQL surface that SQLite and PostgreSQL both implement.
// Feature repositories (catalog, apps, policy, audit ...) are written once against it.

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

/** Runs statements. SQL uses `?` placeholders in both dialects; values are numbers, strings, null or Buffers. */
export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
}

export interface SqlDb extends SqlExecutor {
  /** Runs `fn` in one transaction: commits if it resolves, rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for logs (`sqlite:/path` or `postgres://host/db`), without credentials. */
  readonly description: string;
}

/** A schema change. SQL may use {{BLOB}} and {{AUTO_PK}}, rewritten per dialect. */
export interface Migration {
  id: string;
  sql: string;
}

export function dialectSql(sql: string, dialect: Dialect): string {
  return sql
    .replaceAll('{{BLOB}}', dialect === 'sqlite' ? 'BLOB' : 'BYTEA')
    .replaceAll('{{AUTO_PK}}', dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY');
}

/** Applies migrations not yet recorded, in order, each in its own transaction. */
export async function migrate(db: SqlDb, migrations: readonly Migration[]): Promise<string[]> {
  await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  const done = new Set((await db.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  const applied: string[] = [];
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    seen.add(m.id);
    if (done.has(m.id)) continue;
    await db.transaction(async (tx) => {
      for (const stmt of splitStatements(dialectSql(m.sql, db.dialect))) await tx.run(stmt);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, Date.now()]);
    });
    applied.push(m.id);
  }
  return applied;
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** True when `err` is a unique or primary-key violation, in either dialect (a concurrent writer took the key). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
