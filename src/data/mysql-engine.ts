// MySQL and MariaDB behind ctx.data.sql: a READ ONLY transaction per query under the server's statement time limit
// (MariaDB max_statement_time in seconds, MySQL max_execution_time in milliseconds).
import mysql from 'mysql2/promise';
import { quoteIdent } from './masking.js';
import { engineError, timeoutError, type RunOptions, type SqlEngine } from './sql-engine.js';

export interface MysqlTarget {
  host: string;
  port?: number;
  user: string;
  password?: string;
  database: string;
}

export class MysqlEngine implements SqlEngine {
  readonly dialect = 'mysql' as const;
  private readonly pool: mysql.Pool;
  private mariadb: Promise<boolean> | undefined;
  /** Pools logged in as run users (run credentials), closed when the run ends. */
  private readonly runPools = new Map<string, mysql.Pool>();
  readonly schema: string;

  constructor(readonly target: MysqlTarget) {
    this.pool = this.createPool(target.user, target.password, 4);
    this.schema = target.database;
  }

  private createPool(user: string, password: string | undefined, connectionLimit: number): mysql.Pool {
    const opts = { ...this.target, user, password, connectionLimit, dateStrings: true, supportBigNumbers: true };
    return mysql.createPool(opts);
  }

  qualify(table: string): string {
    return `${quoteIdent('mysql', this.target.database)}.${quoteIdent('mysql', table)}`;
  }

  async run(sql: string, params: readonly unknown[], opts: RunOptions): Promise<Record<string, unknown>[]> {
    let pool = this.pool;
    if (opts.as) {
      const login = opts.as;
      pool = this.runPools.get(login.user) ?? this.createPool(login.user, login.password, 2);
      this.runPools.set(login.user, pool);
    }
    const rows = await this.readOnly(opts.timeoutMs, (c) => c.query(sql, [...params]), pool);
    return (rows as Record<string, unknown>[]).slice(0, opts.maxRows);
  }

  /** Rows the plan examines: the product of each table's estimate (a join multiplies). */
  async explainCost(sql: string, params: readonly unknown[]): Promise<number | undefined> {
    const rows = (await this.readOnly(10_000, (c) => c.query(`EXPLAIN ${sql}`, [...params]))) as { rows?: unknown }[];
    return rows.reduce((acc, r) => acc * Math.max(1, Number(r.rows ?? 1) || 1), 1);
  }

  private async readOnly(
    timeoutMs: number,
    fn: (c: mysql.PoolConnection) => Promise<[unknown, unknown]>,
    pool = this.pool,
  ) {
    let c: mysql.PoolConnection;
    try {
      c = await pool.getConnection();
    } catch (err) {
      throw engineError('mysql', err);
    }
    try {
      this.mariadb ??= c
        .query('SELECT VERSION() AS v')
        .then(([r]) => /mariadb/i.test(String((r as { v: string }[])[0].v)));
      const limit = (await this.mariadb)
        ? `SET SESSION max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`
        : `SET SESSION max_execution_time = ${Math.max(1, Math.floor(timeoutMs))}`;
      await c.query(limit);
      await c.query('START TRANSACTION READ ONLY');
      const [rows] = await fn(c);
      await c.query('ROLLBACK');
      return rows;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      const code = (err as { code?: string; errno?: number }).errno;
      // 1969 (MariaDB) / 3024 (MySQL): statement time limit reached.
      if (code === 1969 || code === 3024) throw timeoutError(timeoutMs);
      throw engineError('mysql', err);
    } finally {
      c.release();
    }
  }

  async forget(user: string): Promise<void> {
    const p = this.runPools.get(user);
    this.runPools.delete(user);
    await p?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const user of [...this.runPools.keys()]) await this.forget(user);
    await this.pool.end();
  }
}
