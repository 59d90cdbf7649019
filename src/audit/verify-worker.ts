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

interface Reader {
  db: Database.Database;
  page: Database.Statement<unknown[]>;
  tail: Database.Statement<unknown[]>;
  next: Database.Statement<unknown[]>;
}

/** One read-only connection and its prepared statements per file, kept for the worker's life (preparing costs ~ms). */
const readers = new Map<string, Reader>();

function reader(file: string): Reader {
  let r = readers.get(file);
  if (!r) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    r = {
      db,
      page: db.prepare('SELECT idx, leaf FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(),
      tail: db.prepare('SELECT idx, leaf FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT ?').raw(),
      next: db.prepare('SELECT idx FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT 1').pluck(),
    };
    readers.set(file, r);
  }
  return r;
}

/** Closes this thread's connections (the calling thread's, after a verification that checked pages inline). */
export function closeReaders(): void {
  for (const r of readers.values()) r.db.close();
  readers.clear();
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
  const db = reader(task.file);
  const rows = (task.last ? db.tail.all(task.start, Math.max(task.size - task.start, 0) + 1) : db.page.all(task.start, task.start + task.pageSize)) as RawRow[];
  const out: VerifyTaskResult = checkPage(task, rawRows(rows));
  if (!out.problem && !task.last && out.good < task.pageSize) {
    // A hole inside the page: a later row means deleted entries, no later row means a truncated log.
    const next = db.next.get(task.start + out.good) as number | undefined;
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
