// PostgreSQL behind ctx.data.sql: each query in its own READ ONLY transaction with SET LOCAL statement_timeout.
import pg from 'pg';
import { quoteIdent } from './masking.js';
import { engineError, timeoutError, type RunOptions, type SqlEngine } from './sql-engine.js';

export class PostgresEngine implements SqlEngine {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;

  /** @param schema where the dataset tables live (default public). */
  constructor(
    readonly connectionString: string,
    readonly schema = 'public',
  ) {
    this.pool = new pg.Pool({ connectionString, max: 4, idleTimeoutMillis: 10_000 });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  qualify(table: string): string {
    return `${quoteIdent('postgres', this.schema)}.${quoteIdent('postgres', table)}`;
  }

  async run(sql: string, params: readonly unknown[], opts: RunOptions): Promise<Record<string, unknown>[]> {
    return this.readOnly(opts.timeoutMs, async (c) => {
      if (opts.as) await c.query(`SET LOCAL ROLE ${quoteIdent('postgres', opts.as.user)}`);
      const r = await c.query({ text: sql, values: [...params] });
      return (r.rows as Record<string, unknown>[]).slice(0, opts.maxRows);
    });
  }

  async explainCost(sql: string, params: readonly unknown[]): Promise<number | undefined> {
    return this.readOnly(10_000, async (c) => {
      const r = await c.query({ text: `EXPLAIN (FORMAT JSON) ${sql}`, values: [...params] });
      const plan = (r.rows[0] as { 'QUERY PLAN': { Plan: { 'Total Cost': number } }[] })['QUERY PLAN'][0];
      return plan.Plan['Total Cost'];
    });
  }

  private async readOnly<T>(timeoutMs: number, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw engineError('postgres', err);
    }
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const out = await fn(client);
      await client.query('ROLLBACK');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '57014') throw timeoutError(timeoutMs);
      throw engineError('postgres', err);
    } finally {
      client.release();
    }
  }

  /** Nothing to close: PostgreSQL run roles are taken with SET LOCAL ROLE on the pooled connection. */
  async forget(): Promise<void> {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}
