// PostgreSQL implementation of the store contract (pg pool; `?` placeholders rewritten to $n).
import pg from 'pg';
import type { RunResult, SqlDb, SqlExecutor } from './sql-db.js';

// BIGINT and NUMERIC come back as numbers, as they do from SQLite (epoch ms and counters fit in 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

const rewritten = new Map<string, string>();
function toPg(sql: string): string {
  let out = rewritten.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    rewritten.set(sql, out);
  }
  return out;
}

function normalize(params: readonly unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
}

interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function executor(q: Queryable): SqlExecutor {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await q.query(toPg(sql), normalize(params))).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await q.query(toPg(sql), normalize(params))).rows[0] as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []): Promise<RunResult> => ({
      changes: (await q.query(toPg(sql), normalize(params))).rowCount ?? 0,
    }),
  };
}

export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly exec: SqlExecutor;

  private constructor(pool: pg.Pool, description: string) {
    this.pool = pool;
    this.exec = executor(pool);
    this.description = description;
  }

  /** Connects and checks the server answers; `schema` (created if missing) isolates tests. */
  static async connect(url: string, schema?: string): Promise<PostgresDb> {
    const u = new URL(url);
    const description = `postgres://${u.host}${u.pathname}${schema ? `#${schema}` : ''}`;
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 5000,
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing
    // A client checked out (a transaction) when the server goes away emits 'error' too; its query rejects anyway,
    // so the event must not become an uncaught exception that takes the process down.
    pool.on('connect', (client) => client.on('error', () => {}));
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    else await pool.query('SELECT 1');
    return new PostgresDb(pool, description);
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.exec.all<T>(sql, params);
  }
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.exec.get<T>(sql, params);
  }
  run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    return this.exec.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(executor(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
