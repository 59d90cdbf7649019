// SQLite implementation of the store contract (better-sqlite3, WAL, fsync on commit).
import Database from 'better-sqlite3';
import type { RunResult, SqlDb, SqlExecutor } from './sql-db.js';

type Stmt = Database.Statement<unknown[]>;

export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Stmt>();
  /** Resolves when the open transaction ends; other callers wait so they never run inside it. */
  private txGate: Promise<void> | null = null;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced, so an acknowledged audit entry survives power loss.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.description = `sqlite:${file}`;
  }

  private stmt(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private direct(): SqlExecutor {
    return {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly unknown[] = []) => this.stmt(sql).all(...normalize(params)) as T[],
      get: async <T>(sql: string, params: readonly unknown[] = []) =>
        this.stmt(sql).get(...normalize(params)) as T | undefined,
      run: async (sql: string, params: readonly unknown[] = []): Promise<RunResult> => {
        const s = this.stmt(sql);
        if (!s.reader) return { changes: s.run(...normalize(params)).changes };
        s.all(...normalize(params));
        return { changes: 0 };
      },
    };
  }

  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    // Checked right before the synchronous call, so nothing can slip into an open transaction.
    while (this.txGate) await this.txGate;
    return this.direct().all<T>(sql, params);
  }
  async get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    // Checked right before the synchronous call, so nothing can slip into an open transaction.
    while (this.txGate) await this.txGate;
    return this.direct().get<T>(sql, params);
  }
  async run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    // Checked right before the synchronous call, so nothing can slip into an open transaction.
    while (this.txGate) await this.txGate;
    return this.direct().run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    while (this.txGate) await this.txGate;
    let release!: () => void;
    this.txGate = new Promise<void>((r) => (release = r));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.direct());
        this.db.exec('COMMIT');
        return out;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.txGate = null;
      release();
    }
  }

  async close(): Promise<void> {
    while (this.txGate) await this.txGate;
    this.db.close();
  }
}

function normalize(params: readonly unknown[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p === undefined ? null : p));
}
