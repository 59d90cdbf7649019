// The audit log's own tamper checks: the head check inside every append transaction, the consistency check when
// another writer moved the log, and the full re-check of the stored entries against the tree this process holds.
import type { KeyObject } from 'node:crypto';
import { GatehouseError } from '../core/errors.js';
import type { SqlExecutor } from '../store/sql-db.js';
import { countEntries, latestCheckpoint, leafRows, listCheckpoints, maxIndex, readNodes } from './audit-store.js';
import { CompactRange, frontierNodes, type Hash } from './merkle.js';
import { parseVerifierKey, signCheckpoint } from './note.js';
import { verifyLog, type LogSource } from './verify.js';

/** The stored log no longer matches what was recorded: nothing more is recorded until an operator acts (503). */
export class AuditLogDamagedError extends GatehouseError {
  constructor(problem: string, extra: Record<string, unknown> = {}) {
    super(
      'audit_log_damaged',
      503,
      `The audit log store is damaged (${problem}); nothing can be recorded until it is repaired. Run \`gatehouse audit verify\`, restore the database from backup and restart the server (see docs/audit.md, "Tamper checks").`,
      [],
      { problem, ...extra },
    );
  }
}

/** Raised inside an append transaction when the store does not hold what this process recorded. */
export class TamperedError extends Error {}

/** Another writer (a replica on the same database) appended since this process last looked: reload and retry. */
export class StaleLogError extends Error {
  constructor(expected: number, found: number) {
    super(`audit log moved from ${expected} to ${found} entries under us`);
  }
}

/**
 * When the row count runs: in every batch while it is cheap, i.e. it costs at most 2 ms more than one indexed
 * lookup over the same connection (SQLite counts a million rows in about a millisecond); otherwise (a large
 * PostgreSQL table, where count(*) scans an index) at most once per 100 times that extra cost, so it stays under 1%.
 * The estimate grows at most 1.5x (+0.5 ms) per count, so one slow round trip on a busy host does not skip counts.
 */
export class CountSchedule {
  private extraMs = 0;
  private lastAt = -Infinity;
  static readonly CHEAP_MS = 2;

  due(now = performance.now()): boolean {
    return this.extraMs <= CountSchedule.CHEAP_MS || now - this.lastAt >= 100 * this.extraMs;
  }

  /** `countMs`: the count's round trip; `lookupMs`: an indexed lookup's round trip in the same transaction. */
  record(countMs: number, lookupMs: number, now = performance.now()): void {
    this.extraMs = Math.min(Math.max(0, countMs - lookupMs), this.extraMs * 1.5 + 0.5);
    this.lastAt = now;
  }
}

/** Root of the first `size` leaves from the stored complete subtrees (no leaf is read); throws if any is missing. */
export async function storedRange(db: SqlExecutor, size: number): Promise<CompactRange> {
  const coords = frontierNodes(size);
  const got = coords.length ? await readNodes(db, coords) : new Map<string, Hash>();
  const hashes = coords.map(([l, i]) => {
    const h = got.get(`${l}/${i}`);
    if (!h)
      throw new TamperedError(`subtree ${l}/${i} of the tree of size ${size} is missing from the store (rows deleted)`);
    return h;
  });
  return CompactRange.fromFrontier(size, hashes);
}

/**
 * Inside the append transaction, before anything is written: the newest stored checkpoint is the one this process
 * made last (same size and root), no row lies past it, the stored right edge of the tree is the one in memory, and
 * (when `count` is set) exactly `size` rows are stored. A log that grew is a concurrent writer (StaleLogError);
 * anything else is tampering (TamperedError). Cost: four indexed lookups, plus the count.
 */
export async function checkHead(tx: SqlExecutor, range: CompactRange, count: CountSchedule): Promise<void> {
  const size = range.size;
  const head = await latestCheckpoint(tx);
  const stored = head?.size ?? 0;
  if (stored > size) throw new StaleLogError(size, stored);
  const problem = await findProblem(tx, range, head?.root, stored, count);
  if (!problem) return;
  // Under READ COMMITTED a replica's commit can land between two of the reads above: then it is not tampering.
  const again = (await latestCheckpoint(tx))?.size ?? 0;
  if (again !== stored) throw new StaleLogError(size, again);
  throw new TamperedError(problem);
}

async function findProblem(
  tx: SqlExecutor,
  range: CompactRange,
  root: Buffer | undefined,
  stored: number,
  count: CountSchedule,
): Promise<string | undefined> {
  const size = range.size;
  if (stored < size)
    return `the newest stored checkpoint is for ${stored} entries but ${size} were recorded: the log was cut back`;
  if (size > 0 && !root?.equals(range.root()))
    return `the newest stored checkpoint (size ${size}) does not have the root this server signed: checkpoints were rewritten`;
  const t0 = performance.now();
  const max = await maxIndex(tx);
  const lookupMs = performance.now() - t0;
  if ((max ?? -1) !== size - 1)
    return max === undefined || max < size - 1
      ? `the highest stored entry is ${max ?? 'none'} but ${size} were recorded: the last entries were deleted`
      : `an entry is stored at index ${max}, past the ${size} recorded: rows were inserted`;
  try {
    const edge = await storedRange(tx, size);
    if (!edge.root().equals(range.root()))
      return `the stored subtree hashes on the right edge of the tree differ from the ones recorded: rows were modified`;
  } catch (err) {
    if (err instanceof TamperedError) return err.message;
    throw err;
  }
  if (count.due()) {
    const t1 = performance.now();
    const n = await countEntries(tx);
    count.record(performance.now() - t1, lookupMs);
    if (n !== size) return `${n} entries are stored for ${size} recorded: rows were deleted or inserted`;
  }
  return undefined;
}

/** After a reload: the grown log must still begin with the tree this process held (a replica only appends). */
export async function checkExtends(db: SqlExecutor, before: CompactRange): Promise<void> {
  if (before.size === 0) return;
  const prefix = await storedRange(db, before.size);
  if (!prefix.root().equals(before.root()))
    throw new TamperedError(
      `the stored log no longer begins with the ${before.size} entries recorded before: its history was rewritten`,
    );
}

/**
 * Re-checks every stored entry below `range.size` against the root this process holds (not against the stored
 * checkpoints, which could be rewritten with them): each leaf re-hashed, its own `seq`, no gaps, the tree rebuilt.
 * Rows appended meanwhile (by this or another writer) lie past `size` and are left to the next check. On a SQLite
 * file, worker threads read and hash the pages (above 50,000 entries), so the server's event loop stays free.
 */
export async function recheckStored(
  db: SqlExecutor,
  range: CompactRange,
  signer: { origin: string; key: KeyObject; verifierKey: string },
  sqliteFile?: string,
): Promise<string | undefined> {
  const { origin, key, verifierKey } = signer;
  const size = range.size;
  if (size === 0) return undefined;
  const note = signCheckpoint({ origin, size, root: range.root() }, origin, key);
  const source: LogSource = {
    latestCheckpoint: async () => note,
    entries: async (start, limit, withLeafHashes) =>
      (await leafRows(db, start, limit, withLeafHashes, size)).map((r) => ({
        index: r.idx,
        entry: r.leaf,
        leafHash: r.leaf_hash,
      })),
    checkpoints: async (after, limit) =>
      (await listCheckpoints(db, after, limit)).filter((c) => c.size <= size).map((c) => c.note),
    sqliteFile,
  };
  const r = await verifyLog(source, parseVerifierKey(verifierKey), [], { prefixOnly: true });
  if (r.ok) return undefined;
  const at = r.problem?.index !== undefined ? ` at index ${r.problem.index}` : '';
  return `stored entries no longer match the log this server recorded${at}: ${r.problem?.message}`;
}
