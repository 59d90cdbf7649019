// Full-verification worker (a piscina task module): checks and hashes one page of the log, reading it straight from
// the SQLite file (read-only connection, raw rows) or from rows the main thread packed; also callable inline.
import Database from 'better-sqlite3';
import { checkPage, packedRows, type PackedRows, type PageResult, type PageRows, type PageSpec } from './verify-page.js';

export type VerifyTask =
  | (PageSpec & { kind: 'sqlite'; file: string; pageSize: number; last: boolean })
  | (PageSpec & { kind: 'rows'; rows: PackedRows });

export interface VerifyTaskResult extends PageResult {
  /** SQLite pages only: set when rows are missing inside the page; the caller learns whether the log goes on. */
  nextStored?: number;
}

const connections = new Map<string, Database.Database>();

function open(file: string): Database.Database {
  let db = connections.get(file);
  if (!db) {
    db = new Database(file, { readonly: true, fileMustExist: true });
    connections.set(file, db);
  }
  return db;
}

type RawRow = [number, Buffer];

function rawRows(rows: RawRow[]): PageRows {
  return { count: rows.length, index: (k) => rows[k][0], leaf: (k) => rows[k][1], recordedHash: () => undefined };
}

/**
 * Page [start, start + pageSize) of the table, only the columns needed, as arrays (`raw()` is ~2x cheaper per row
 * than objects). The last page reads one row past the signed size too, so an entry nothing signs is seen.
 */
function sqlitePage(task: Extract<VerifyTask, { kind: 'sqlite' }>): VerifyTaskResult {
  const db = open(task.file);
  const rows = (task.last
    ? db.prepare('SELECT idx, leaf FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT ?').raw().all(task.start, Math.max(task.size - task.start, 0) + 1)
    : db.prepare('SELECT idx, leaf FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw().all(task.start, task.start + task.pageSize)) as RawRow[];
  const out: VerifyTaskResult = checkPage(task, rawRows(rows));
  if (!out.problem && !task.last && out.good < task.pageSize) {
    // A hole inside the page: a later row means deleted entries, no later row means a truncated log.
    const next = db.prepare('SELECT idx FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT 1').pluck().get(task.start + out.good) as number | undefined;
    if (next !== undefined) {
      const i = task.start + out.good;
      out.problem = { index: i, message: `entry ${i} is missing (deleted); the next stored entry is ${next}` };
      out.nextStored = next;
    }
  }
  return out;
}

export function runVerifyTask(task: VerifyTask): VerifyTaskResult {
  return task.kind === 'sqlite' ? sqlitePage(task) : checkPage(task, packedRows(task.rows));
}

export default runVerifyTask;
