// SQL access for the audit log through the SqlDb contract. Inserts and reads only: there is no update or delete path.
import type { SqlExecutor } from '../store/sql-db.js';
import type { Hash } from './merkle.js';

export interface EntryRow {
  index: number;
  leaf: Buffer;
  leafHash: Buffer;
  type: string;
  app: string | null;
  time: number;
  /**
   * Hashes (32 bytes each, level 1 upwards) of the perfect subtrees this leaf completes: leaf j completes the
   * subtree at level L, index ((j + 1) >> L) - 1 for every L up to the number of trailing one bits of j. Null if none.
   */
  subtrees?: Buffer | null;
}

export interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  time: number;
}

export interface EntryFilter {
  start?: number;
  /** Exclusive upper bound on the index (the covered tree size). */
  end?: number;
  limit: number;
  app?: string;
  type?: string;
  sinceMs?: number;
  /** Verifiers' reads: leave out type and app (rows come back with type '' and app null); ~20% cheaper per row. */
  lean?: boolean;
  /** Newest first (ORDER BY idx DESC): the console's recent runs and history. */
  newest?: boolean;
}

/** Rows per multi-row INSERT; fixed so the statement cache holds one text per table. */
const CHUNK = 128;

async function insertRows(tx: SqlExecutor, head: string, cols: number, rows: unknown[][]): Promise<void> {
  const one = `(${Array(cols).fill('?').join(', ')})`;
  const chunkSql = `${head} VALUES ${Array(CHUNK).fill(one).join(', ')}`;
  let i = 0;
  for (; i + CHUNK <= rows.length; i += CHUNK) await tx.run(chunkSql, rows.slice(i, i + CHUNK).flat());
  for (; i < rows.length; i++) await tx.run(`${head} VALUES ${one}`, rows[i]);
}

function buf(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array);
}

function toEntry(r: Record<string, unknown>): EntryRow {
  return {
    index: Number(r.idx),
    leaf: buf(r.leaf),
    leafHash: buf(r.leaf_hash),
    type: r.type === undefined ? '' : String(r.type),
    app: (r.app as string | null | undefined) ?? null,
    time: Number(r.time),
  };
}

function toCheckpoint(r: Record<string, unknown>): CheckpointRow {
  return { size: Number(r.size), root: buf(r.root), note: String(r.note), time: Number(r.time) };
}

export async function insertEntries(tx: SqlExecutor, rows: EntryRow[]): Promise<void> {
  await insertRows(
    tx,
    'INSERT INTO audit_entries (idx, leaf, leaf_hash, type, app, time, subtrees)',
    7,
    rows.map((r) => [r.index, r.leaf, r.leafHash, r.type, r.app, r.time, r.subtrees ?? null]),
  );
}

export async function insertCheckpoint(tx: SqlExecutor, c: CheckpointRow): Promise<void> {
  await tx.run('INSERT INTO audit_checkpoints (size, root, note, time) VALUES (?, ?, ?, ?)', [
    c.size,
    c.root,
    c.note,
    c.time,
  ]);
}

export async function latestCheckpoint(db: SqlExecutor): Promise<CheckpointRow | undefined> {
  const r = await db.get<Record<string, unknown>>(
    'SELECT size, root, note, time FROM audit_checkpoints ORDER BY size DESC LIMIT 1',
  );
  return r && toCheckpoint(r);
}

export async function checkpointAt(db: SqlExecutor, size: number): Promise<CheckpointRow | undefined> {
  const r = await db.get<Record<string, unknown>>(
    'SELECT size, root, note, time FROM audit_checkpoints WHERE size = ?',
    [size],
  );
  return r && toCheckpoint(r);
}

export async function listCheckpoints(db: SqlExecutor, afterSize: number, limit: number): Promise<CheckpointRow[]> {
  const rows = await db.all<Record<string, unknown>>(
    'SELECT size, root, note, time FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT ?',
    [afterSize, limit],
  );
  return rows.map(toCheckpoint);
}

/** Rows per node lookup query; unused slots are padded with -1 so there is one statement text. */
const NODE_QUERY_ROWS = 32;
const nodeQuery = `SELECT idx, leaf_hash, subtrees FROM audit_entries WHERE idx IN (${Array(NODE_QUERY_ROWS).fill('?').join(', ')})`;

/**
 * Hashes of complete subtrees, keyed `level/index`: level 0 is a leaf hash, higher levels sit on the row of the
 * subtree's last leaf. One query per 32 rows; absent nodes are left out of the map.
 */
export async function readNodes(db: SqlExecutor, nodes: [number, number][]): Promise<Map<string, Hash>> {
  const rowOf = (level: number, index: number) => (index + 1) * 2 ** level - 1;
  const rows = [...new Set(nodes.map(([l, i]) => rowOf(l, i)))];
  const byRow = new Map<number, { leaf_hash: Buffer; subtrees: Buffer | null }>();
  for (let k = 0; k < rows.length; k += NODE_QUERY_ROWS) {
    const chunk = rows.slice(k, k + NODE_QUERY_ROWS);
    const params = [...chunk, ...Array(NODE_QUERY_ROWS - chunk.length).fill(-1)];
    for (const r of await db.all<{ idx: number; leaf_hash: Buffer; subtrees: Buffer | null }>(nodeQuery, params))
      byRow.set(Number(r.idx), r);
  }
  const out = new Map<string, Hash>();
  for (const [level, index] of nodes) {
    const r = byRow.get(rowOf(level, index));
    if (!r) continue;
    if (level === 0) out.set(`0/${index}`, buf(r.leaf_hash));
    else if (r.subtrees && r.subtrees.length >= level * 32)
      out.set(`${level}/${index}`, buf(r.subtrees).subarray((level - 1) * 32, level * 32));
  }
  return out;
}

/** Collects, per appended leaf, the subtree hashes it completes (CompactRange reports them lowest level first). */
export function subtreeCollector(): { onNode(level: number, index: number, hash: Hash): void; take(): Buffer | null } {
  let parts: Hash[] = [];
  return {
    onNode: (_level, _index, hash) => void parts.push(hash),
    take: () => {
      const out = parts.length ? Buffer.concat(parts) : null;
      parts = [];
      return out;
    },
  };
}

/** Stored rows (every one, covered or not). Its own statement: SQLite then counts the primary key's b-tree. */
export async function countEntries(db: SqlExecutor): Promise<number> {
  const r = await db.get<{ n: number | string }>('SELECT count(*) AS n FROM audit_entries');
  return Number(r?.n ?? 0);
}

/** The highest stored index, or undefined for an empty table (one index lookup). */
export async function maxIndex(db: SqlExecutor): Promise<number | undefined> {
  const r = await db.get<{ m: number | string | null }>('SELECT max(idx) AS m FROM audit_entries');
  return r?.m === null || r?.m === undefined ? undefined : Number(r.m);
}

export async function readEntry(db: SqlExecutor, index: number): Promise<EntryRow | undefined> {
  const r = await db.get<Record<string, unknown>>(
    'SELECT idx, leaf, leaf_hash, type, app, time FROM audit_entries WHERE idx = ?',
    [index],
  );
  return r && toEntry(r);
}

/**
 * Just what a verifier needs (index, leaf, recorded leaf hash), in index order: the hot path of full verification.
 * `end` (exclusive) bounds the read, for re-checking a prefix while appends go on.
 */
export async function leafRows(
  db: SqlExecutor,
  start: number,
  limit: number,
  withLeafHashes: boolean,
  end?: number,
): Promise<{ idx: number; leaf: Buffer; leaf_hash?: Buffer }[]> {
  // Leaving the recorded hash out when it is not needed makes a full verification ~20% faster.
  const cols = withLeafHashes ? 'idx, leaf, leaf_hash' : 'idx, leaf';
  const bound = end === undefined ? '' : ' AND idx < ?';
  const sql = `SELECT ${cols} FROM audit_entries WHERE idx >= ?${bound} ORDER BY idx LIMIT ?`;
  const params = end === undefined ? [start, limit] : [start, end, limit];
  const rows = await db.all<{ idx: number; leaf: Buffer; leaf_hash?: Buffer }>(sql, params);
  if (db.dialect === 'postgres') for (const r of rows) r.idx = Number(r.idx);
  return rows;
}

export async function listEntries(db: SqlExecutor, f: EntryFilter): Promise<EntryRow[]> {
  const where = ['idx >= ?'];
  const params: unknown[] = [f.start ?? 0];
  if (f.end !== undefined) {
    where.push('idx < ?');
    params.push(f.end);
  }
  if (f.app !== undefined) {
    where.push('app = ?');
    params.push(f.app);
  }
  if (f.sinceMs !== undefined) {
    where.push('time >= ?');
    params.push(f.sinceMs);
  }
  const cols = f.lean ? 'idx, leaf, leaf_hash, time' : 'idx, leaf, leaf_hash, type, app, time';
  const order = `ORDER BY idx${f.newest ? ' DESC' : ''} LIMIT ?`;
  let rows: Record<string, unknown>[];
  if (f.type !== undefined && f.app === undefined) {
    // A type matches itself and its dotted children: `approval` finds approval.granted. Two index reads, merged:
    // one `type OR LIKE` condition made SQLite walk the primary key, reading the whole log for a rare type.
    const children = db.dialect === 'sqlite' ? 'type >= ? AND type < ?' : 'type LIKE ?';
    const childParams = db.dialect === 'sqlite' ? [`${f.type}.`, `${f.type}/`] : [`${f.type}.%`];
    const base = where.join(' AND ');
    rows = await db.all<Record<string, unknown>>(
      `SELECT * FROM (SELECT ${cols} FROM audit_entries WHERE ${base} AND type = ? ${order}) AS exact
       UNION ALL SELECT * FROM (SELECT ${cols} FROM audit_entries WHERE ${base} AND ${children} ${order}) AS kids
       ${order}`,
      [...params, f.type, f.limit, ...params, ...childParams, f.limit, f.limit],
    );
  } else {
    if (f.type !== undefined) {
      where.push('(type = ? OR type LIKE ?)');
      params.push(f.type, `${f.type}.%`);
    }
    rows = await db.all<Record<string, unknown>>(
      `SELECT ${cols} FROM audit_entries WHERE ${where.join(' AND ')} ${order}`,
      [...params, f.limit],
    );
  }
  return rows.map(toEntry);
}

/** Verifiers' page in flat form: leaves back to back with their lengths, indexes, and recorded hashes (32 bytes each). */
export interface FlatPage {
  indexes: number[];
  lengths: number[];
  leaves: Buffer;
  leafHashes: Buffer;
}

/**
 * SQLite only: rows start..start+limit-1 read as two values (length-framed leaves, and hashes, each concatenated in
 * index order by byte length, so losslessly) instead of an object per row. Used only when the rows are exactly the
 * contiguous integer indexes from start; otherwise undefined and the caller reads row by row.
 */
export async function flatPage(db: SqlExecutor, start: number, limit: number): Promise<FlatPage | undefined> {
  if (db.dialect !== 'sqlite') return undefined;
  const r = await db.get<{
    n: number;
    lo: number | null;
    hi: number | null;
    odd: number;
    leaves: Buffer | null;
    hashes: Buffer | null;
  }>(
    `SELECT count(*) AS n, min(idx) AS lo, max(idx) AS hi, total(typeof(idx) <> 'integer') AS odd,
      CAST(group_concat(printf('%08x', octet_length(leaf)) || leaf, '' ORDER BY idx) AS BLOB) AS leaves,
      CAST(group_concat(CASE WHEN octet_length(leaf_hash) = 32 THEN leaf_hash ELSE zeroblob(32) END, '' ORDER BY idx) AS BLOB) AS hashes
     FROM audit_entries WHERE idx >= ? AND idx < ?`,
    [start, start + limit],
  );
  // Nothing in range: rows may still follow a gap, which the row-by-row read finds.
  if (
    !r ||
    r.n === 0 ||
    r.lo !== start ||
    r.hi !== start + r.n - 1 ||
    r.odd !== 0 ||
    !Buffer.isBuffer(r.leaves) ||
    !Buffer.isBuffer(r.hashes) ||
    r.hashes.length !== r.n * 32
  )
    return undefined;
  const framed = r.leaves;
  const leaves = Buffer.allocUnsafe(framed.length - 8 * r.n);
  const lengths: number[] = [];
  let at = 0;
  let out = 0;
  for (let k = 0; k < r.n; k++) {
    const len = Number.parseInt(framed.toString('latin1', at, at + 8), 16);
    if (!Number.isSafeInteger(len) || at + 8 + len > framed.length) return undefined;
    out += framed.copy(leaves, out, at + 8, at + 8 + len);
    lengths.push(len);
    at += 8 + len;
  }
  if (at !== framed.length) return undefined;
  return { indexes: Array.from({ length: r.n }, (_, k) => start + k), lengths, leaves, leafHashes: r.hashes };
}
