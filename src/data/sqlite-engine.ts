// SQLite behind ctx.data.sql: a read-only file handle with the masking functions registered; rows are stepped one at a
// time so the row cap and the time limit stop the read (a single slow step cannot be interrupted: SQLite's weak spot).
import Database from 'better-sqlite3';
import { maskValue, quoteIdent } from './masking.js';
import { engineError, timeoutError, type RunOptions, type SqlEngine } from './sql-engine.js';

export class SqliteEngine implements SqlEngine {
  readonly dialect = 'sqlite' as const;
  readonly schema = 'main';
  private db: Database.Database | undefined;

  constructor(
    private readonly path: string,
    private readonly tokenKey: string,
  ) {}

  qualify(table: string): string {
    return `main.${quoteIdent('sqlite', table)}`;
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    try {
      const db = new Database(this.path, { readonly: true, fileMustExist: true });
      db.function(
        'gh_mask_partial',
        { deterministic: true },
        (v: unknown) => maskValue('partial', v, this.tokenKey) as string,
      );
      db.function(
        'gh_mask_hash',
        { deterministic: true },
        (v: unknown) => maskValue('hash', v, this.tokenKey) as string,
      );
      db.function(
        'gh_mask_tokenize',
        { deterministic: true },
        (v: unknown) => maskValue('tokenize', v, this.tokenKey) as string,
      );
      this.db = db;
      return db;
    } catch (err) {
      throw engineError('sqlite', err);
    }
  }

  async run(sql: string, params: readonly unknown[], opts: RunOptions): Promise<Record<string, unknown>[]> {
    const db = this.open();
    const started = Date.now();
    const out: Record<string, unknown>[] = [];
    try {
      for (const row of db.prepare(sql).iterate(...params) as IterableIterator<Record<string, unknown>>) {
        out.push(row);
        if (out.length >= opts.maxRows) break;
        if (Date.now() - started > opts.timeoutMs) throw timeoutError(opts.timeoutMs);
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'LimitExceededError') throw err;
      if ((err as { code?: string }).code === 'limit_exceeded') throw err;
      throw engineError('sqlite', err);
    }
    return out;
  }

  /** SQLite's planner gives no cost figure, so the cost guard does not apply. */
  async explainCost(): Promise<number | undefined> {
    return undefined;
  }

  /** SQLite has no logins: run credentials do not apply. */
  async forget(): Promise<void> {}

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}
