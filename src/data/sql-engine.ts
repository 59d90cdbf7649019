// The contract every database engine behind ctx.data.sql meets (PostgreSQL, MySQL/MariaDB, SQLite): run one guarded
// read in a read-only transaction under a statement timeout, and estimate its cost with EXPLAIN.
import { LimitExceededError, UnavailableError } from '../core/errors.js';
import type { SqlDialect } from './masking.js';
import type { RunLogin } from './run-credentials.js';

export interface RunOptions {
  timeoutMs: number;
  /** Rows beyond this are never materialized (the guard's LIMIT already asks for at most this many). */
  maxRows: number;
  /**
   * The run's own database login (run credentials): its column grants bound what the query reads. MySQL/MariaDB log
   * in as it; PostgreSQL switches to it with SET LOCAL ROLE inside the read-only transaction.
   */
  as?: RunLogin;
}

export interface SqlEngine {
  readonly dialect: SqlDialect;
  /** Where dataset tables live: PostgreSQL schema, MySQL database, SQLite 'main' (what run grants name). */
  readonly schema: string;
  /** The table's quoted, schema-qualified name, so the guard's shadow view reads the real table. */
  qualify(table: string): string;
  /** Runs a guarded SELECT read-only; throws LimitExceededError on timeout, UnavailableError on engine errors. */
  run(sql: string, params: readonly unknown[], opts: RunOptions): Promise<Record<string, unknown>[]>;
  /** The planner's estimate (PostgreSQL total cost; MySQL/MariaDB rows examined); undefined when the engine has none. */
  explainCost(sql: string, params: readonly unknown[]): Promise<number | undefined>;
  /** Closes what the engine holds for a run login (its connections), before the login is dropped. */
  forget(user: string): Promise<void>;
  close(): Promise<void>;
}

export function timeoutError(timeoutMs: number): LimitExceededError {
  return new LimitExceededError(
    `the query ran longer than the statement timeout (${timeoutMs} ms); narrow it or ask for a higher timeoutMs`,
    1,
  );
}

/** Engine errors reach the app as 503 with the engine's message, which names the problem but holds no row values. */
export function engineError(dialect: SqlDialect, err: unknown): UnavailableError {
  const msg = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`${dialect} query failed: ${msg.slice(0, 300)}`);
}
