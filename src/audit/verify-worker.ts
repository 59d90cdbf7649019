// Full-verification worker (a piscina task module): checks and hashes one page of the log, reading it straight from
// the SQLite file (read-only connection, raw rows) or from rows the main thread packed; also callable inline.
import Database from 'better-sqlite3';
import {
  checkPage,
  packedRows,
  type PackedRows,
  type PageResult,
  type PageRows,
  type PageSpec,
} from './verify-page.js';

export type VerifyTask =
  | (PageSpec & { kind: 'sqlite'; file: string; pageSize: number; last: boolean; prefixOnly?: boolean })
  | (PageSpec & { kind: 'rows'; rows: PackedRows });

export interface VerifyTaskResult extends PageResult {
  /** SQLite pages only: set when rows are missing inside the page; the caller learns whether the log goes on. */
  nextStored?: number;
}

interface Reader {
  db: Database.Database;
  whole: Database.Statement<unknown[]>;
  page: Database.Statement<unknown[]>;
  tail: Database.Statement<unknown[]>;
  next: Database.Statement<unknown[]>;
}

/**
 * A whole page in one value: each leaf framed as 8 hex digits of its byte length then its bytes, in index order,
 * with what proves the page holds exactly the integer indexes start..end-1. SQLite concatenates by byte length
 * (OP_Concat, group_concat) and CAST AS BLOB keeps the bytes, so this is lossless; one Buffer per page instead of
 * one per row halves the read cost. Anything unexpected falls back to reading row by row.
 */
const WHOLE_PAGE = `SELECT count(*), min(idx), max(idx), total(typeof(idx) <> 'integer'),
  CAST(group_concat(printf('%08x', octet_length(leaf)) || leaf, '' ORDER BY idx) AS BLOB)
  FROM audit_entries WHERE idx >= ? AND idx < ?`;

/** One read-only connection and its prepared statements per file, kept for the worker's life (preparing costs ~ms). */
const readers = new Map<string, Reader>();

function reader(file: string): Reader {
  let r = readers.get(file);
  if (!r) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    r = {
      db,
      whole: db.prepare(WHOLE_PAGE).raw(),
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
 * than objects). The last page reads one row past the signed size too, so an entry nothing signs is seen (not when
 * re-checking a prefix while appends go on).
 */
function sqlitePage(task: Extract<VerifyTask, { kind: 'sqlite' }>): VerifyTaskResult {
  const db = reader(task.file);
  const whole = task.last ? undefined : wholePage(db, task.start, task.start + task.pageSize);
  if (whole) return checkPage(task, whole);
  const rows = (
    task.last
      ? db.tail.all(task.start, Math.max(task.size - task.start, 0) + (task.prefixOnly ? 0 : 1))
      : db.page.all(task.start, task.start + task.pageSize)
  ) as RawRow[];
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

/** The page as one framed blob if it holds exactly start..end-1 and every frame parses; else undefined. */
function wholePage(db: Reader, start: number, end: number): PageRows | undefined {
  const [count, min, max, nonInteger, blob] = db.whole.get(start, end) as [
    number,
    number,
    number,
    number,
    Buffer | null,
  ];
  if (count !== end - start || min !== start || max !== end - 1 || nonInteger !== 0 || !Buffer.isBuffer(blob))
    return undefined;
  const starts = new Uint32Array(count);
  const ends = new Uint32Array(count);
  let at = 0;
  for (let k = 0; k < count; k++) {
    if (at + 8 > blob.length) return undefined;
    let n = 0;
    for (let j = at; j < at + 8; j++) {
      const c = blob[j];
      n = n * 16 + (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : NaN);
    }
    if (!Number.isInteger(n) || at + 8 + n > blob.length) return undefined;
    starts[k] = at + 8;
    ends[k] = at + 8 + n;
    at = ends[k];
  }
  if (at !== blob.length) return undefined;
  return {
    count,
    index: (k) => start + k,
    leaf: (k) => blob.subarray(starts[k], ends[k]),
    recordedHash: () => undefined,
  };
}

export function runVerifyTask(task: VerifyTask): VerifyTaskResult {
  return task.kind === 'sqlite' ? sqlitePage(task) : checkPage(task, packedRows(task.rows));
}

export default runVerifyTask;
