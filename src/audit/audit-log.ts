// The verifiable audit log: an AuditSink with group commit, a signed checkpoint per batch, and proofs from stored subtrees.
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, NotFoundError, UnavailableError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AuditEventInput, AuditSink } from '../core/sinks.js';
import type { SqlDb, SqlExecutor } from '../store/sql-db.js';
import {
  checkpointAt,
  insertCheckpoint,
  leafRows,
  insertEntries,
  latestCheckpoint,
  subtreeCollector,
  listCheckpoints,
  listEntries,
  readEntry,
  readNodes,
  flatPage,
  type FlatPage,
  type CheckpointRow,
  type EntryFilter,
  type EntryRow,
} from './audit-store.js';
import { checkEvent, encodeEntry, saltedHash } from './event.js';
import { loadSalt, loadSigningKey } from './keys.js';
import {
  CompactRange,
  consistencyProof,
  frontierNodes,
  hashLeaf,
  inclusionProof,
  withFetchedNodes,
  type Hash,
} from './merkle.js';
import { rawPublicKey, signCheckpoint, verifierKeyString } from './note.js';
import type { LogSource } from './verify.js';
import { Witness } from './witness.js';

export interface AuditConfig {
  /** Checkpoint origin line and signing key name. */
  origin: string;
  /** Append every checkpoint (one JSON line each) to this file; relative paths are inside GATEHOUSE_HOME. */
  witnessFile?: string;
  /** POST every checkpoint (text/plain signed note) to this URL, in order. */
  witnessUrl?: string;
  /** Most entries committed in one transaction. */
  maxBatch: number;
}

export const defaultAuditConfig: AuditConfig = { origin: 'gatehouse/audit', maxBatch: 5000 };

export interface AuditLogOptions {
  db: SqlDb;
  home: string;
  config?: Partial<AuditConfig>;
  clock: Clock;
  logger: Logger;
}

interface Pending {
  event: AuditEventInput;
  time: number;
  resolve(v: { index: number }): void;
  reject(err: unknown): void;
}

export class AuditLog implements AuditSink {
  readonly verifierKey: string;
  readonly publicKey: Buffer;
  readonly origin: string;
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly witness: Witness;
  /** Complete subtree hashes never change, so upper levels are kept in memory: a proof then reads only rows near its leaf. */
  private readonly nodeCache = new Map<string, Hash>();

  private constructor(
    private readonly opts: AuditLogOptions,
    private readonly cfg: AuditConfig,
    private readonly key: KeyObject,
    private readonly salt: Buffer,
    private range: CompactRange,
  ) {
    this.origin = cfg.origin;
    this.publicKey = rawPublicKey(key);
    this.verifierKey = verifierKeyString(cfg.origin, this.publicKey);
    this.witness = new Witness({ home: opts.home, file: cfg.witnessFile, url: cfg.witnessUrl, logger: opts.logger });
  }

  static async open(opts: AuditLogOptions): Promise<AuditLog> {
    const cfg = { ...defaultAuditConfig, ...opts.config };
    const key = loadSigningKey(opts.home);
    const salt = loadSalt(opts.home);
    let range: CompactRange;
    let damaged: string | undefined;
    try {
      range = await loadRange(opts.db);
    } catch (err) {
      // Start anyway so auditors can read and verify what is left, but refuse to append on top of it (fail closed).
      damaged = (err as Error).message;
      opts.logger.error('audit log store is damaged; appends are refused until it is repaired', { error: damaged });
      range = new CompactRange();
    }
    const log = new AuditLog(opts, cfg, key, salt, range);
    log.damaged = damaged;
    return log;
  }

  /** Set when the stored tree could not be loaded: reads work, appends and proofs fail with 503. */
  private damaged?: string;

  private checkIntact(): void {
    if (this.damaged)
      throw new UnavailableError(
        `The audit log store is damaged (${this.damaged}); nothing can be recorded. Run \`gatehouse audit verify\` and restore the database from backup.`,
      );
  }

  /** Current covered tree size (every stored entry is covered by a signed checkpoint). */
  get size(): number {
    return this.range.size;
  }

  /** Salted hash for a sensitive value, safe to put in an event's data. */
  hashSensitive(value: string | Buffer): string {
    return saltedHash(this.salt, value);
  }

  append(event: AuditEventInput): Promise<{ index: number }> {
    try {
      checkEvent(event);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.damaged)
      return Promise.reject(
        new UnavailableError(
          `The audit log store is damaged (${this.damaged}); the action was not recorded. Run \`gatehouse audit verify\`.`,
        ),
      );
    if (this.closed)
      return Promise.reject(
        new UnavailableError('The audit log is closed (the server is shutting down); retry against a running server.'),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ event, time: this.opts.clock.now(), resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    // setImmediate lets a burst of synchronous appends share one transaction (group commit).
    this.draining = new Promise<void>((r) => setImmediate(r))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        // Appends that arrived after the last batch was taken but saw `draining` still set.
        if (this.queue.length > 0) this.kick();
      });
  }

  /** Resolves once every queued append is committed and its checkpoint offered to the witness. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    await this.witness.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.cfg.maxBatch);
      try {
        const indexes = await this.commit(batch);
        batch.forEach((p, i) => (indexes[i] === undefined ? undefined : p.resolve({ index: indexes[i] })));
      } catch (err) {
        this.opts.logger.error('audit batch failed', { error: (err as Error).message, entries: batch.length });
        // Fail closed: the callers' actions must not proceed unrecorded.
        const failure = new UnavailableError(
          `The audit log could not record the event (${(err as Error).message}); the action was not recorded, retry later or run \`gatehouse audit verify\`.`,
        );
        for (const p of batch) p.reject(failure);
      }
    }
  }

  /**
   * Encodes, hashes and signs outside the transaction (so other features' queries are not held up), then writes the
   * batch and its checkpoint in one transaction. If another writer moved the log meanwhile, reloads and retries.
   */
  private async commit(batch: Pending[]): Promise<(number | undefined)[]> {
    const rejected = new Set<Pending>();
    for (let attempt = 0; ; attempt++) {
      const base = this.range.size;
      const prepared = this.prepare(batch, rejected);
      try {
        if (prepared.rows.length > 0) {
          await this.opts.db.transaction(async (tx) => {
            const stored = (await latestCheckpoint(tx))?.size ?? 0;
            if (stored !== base) throw new StaleLogError(base, stored);
            await insertEntries(tx, prepared.rows);
            await insertCheckpoint(tx, {
              size: prepared.range.size,
              root: prepared.root,
              note: prepared.note,
              time: this.opts.clock.now(),
            });
          });
          this.range = prepared.range;
          for (const [level, index, hash] of prepared.upper) this.cacheNode(level, index, hash);
          if (this.witness.enabled) this.witness.record(prepared.note);
        }
        return prepared.indexes;
      } catch (err) {
        if (attempt >= 4) throw err;
        this.range = await loadRange(this.opts.db); // a concurrent replica appended (or a write failed): reload and retry
      }
    }
  }

  private prepare(
    batch: Pending[],
    rejected: Set<Pending>,
  ): {
    indexes: (number | undefined)[];
    rows: EntryRow[];
    range: CompactRange;
    root: Hash;
    note: string;
    upper: [number, number, Hash][];
  } {
    const range = this.range.clone();
    const rows: EntryRow[] = [];
    const subtrees = subtreeCollector();
    const upper: [number, number, Hash][] = [];
    const onNode = (level: number, index: number, hash: Hash) => {
      subtrees.onNode(level, index, hash);
      if (level >= CACHE_MIN_LEVEL) upper.push([level, index, hash]);
    };
    const indexes = batch.map((p) => {
      if (rejected.has(p)) return undefined;
      let leaf: Buffer;
      try {
        leaf = encodeEntry(p.event, range.size, p.time);
      } catch (err) {
        rejected.add(p);
        p.reject(err);
        return undefined;
      }
      const index = range.size;
      const leafHash = hashLeaf(leaf);
      range.append(leafHash, onNode);
      rows.push({
        index,
        leaf,
        leafHash,
        type: p.event.type,
        app: p.event.app ?? null,
        time: p.time,
        subtrees: subtrees.take(),
      });
      return index;
    });
    const root = range.root();
    const note = rows.length
      ? signCheckpoint({ origin: this.origin, size: range.size, root }, this.origin, this.key)
      : '';
    return { indexes, rows, range, root, note, upper };
  }

  async latestCheckpoint(): Promise<CheckpointRow | undefined> {
    return latestCheckpoint(this.opts.db);
  }

  async checkpoints(afterSize: number, limit: number): Promise<CheckpointRow[]> {
    return listCheckpoints(this.opts.db, afterSize, limit);
  }

  /** A stored entry (even one no checkpoint covers: hiding those would let a replayed checkpoint pass). */
  async entry(index: number): Promise<EntryRow> {
    const e = await readEntry(this.opts.db, index);
    if (!e) throw new NotFoundError('Audit entry', String(index), `the log holds entries 0..${this.range.size - 1}`);
    return e;
  }

  /** Stored entries in index order, covered or not, so verifiers see everything the store holds. */
  async entries(f: EntryFilter): Promise<EntryRow[]> {
    return listEntries(this.opts.db, f);
  }

  /** Entries start..start+limit-1 in flat form when the store can read them so (SQLite, no gaps); else undefined. */
  async flatEntries(start: number, limit: number): Promise<FlatPage | undefined> {
    return flatPage(this.opts.db, start, limit);
  }

  /** This log as a verifier source, reading the store directly (tests, benches, and the server's own self-check). */
  asSource(): LogSource {
    return {
      latestCheckpoint: async () => {
        const c = await this.latestCheckpoint();
        if (!c) throw new NotFoundError('Audit checkpoint', 'latest', 'the log is empty');
        return c.note;
      },
      entries: async (start, limit, withLeafHashes) =>
        (await leafRows(this.opts.db, start, limit, withLeafHashes)).map((r) => ({
          index: r.idx,
          entry: r.leaf,
          leafHash: r.leaf_hash,
        })),
      checkpoints: async (after, limit) => (await this.checkpoints(after, limit)).map((c) => c.note),
      sqliteFile: sqliteFileOf(this.opts.db),
    };
  }

  /** Inclusion proof for `index` in the tree of `size` (default: the current size), RFC 9162 order. */
  async inclusionProof(
    index: number,
    size = this.range.size,
  ): Promise<{ leafIndex: number; treeSize: number; inclusionPath: Hash[] }> {
    this.checkSize('treeSize', size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new InvalidInputError(`index ${index} is outside the tree of size ${size}; pick 0..${size - 1}`, [
        { path: 'index', message: `must be below ${size}` },
      ]);
    }
    const inclusionPath = await withFetchedNodes(
      (read) => inclusionProof(read, index, size),
      (n) => this.fetchNodes(n),
    );
    return { leafIndex: index, treeSize: size, inclusionPath };
  }

  async consistencyProof(size1: number, size2 = this.range.size): Promise<Hash[]> {
    this.checkSize('to', size2);
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) {
      throw new InvalidInputError(`from ${size1} must be between 1 and ${size2}`, [
        { path: 'from', message: `must be 1..${size2}` },
      ]);
    }
    return withFetchedNodes(
      (read) => consistencyProof(read, size1, size2),
      (n) => this.fetchNodes(n),
    );
  }

  /** Signed checkpoint of exactly `size` entries, if one was made. */
  async checkpointAt(size: number): Promise<CheckpointRow | undefined> {
    return checkpointAt(this.opts.db, size);
  }

  private checkSize(field: string, size: number): void {
    this.checkIntact();
    if (!Number.isSafeInteger(size) || size < 1 || size > this.range.size) {
      throw new InvalidInputError(`${field} ${size} must be between 1 and the log size ${this.range.size}`, [
        { path: field, message: `must be 1..${this.range.size}` },
      ]);
    }
  }

  private async fetchNodes(nodes: [number, number][]): Promise<Map<string, Hash>> {
    const out = new Map<string, Hash>();
    const missing: [number, number][] = [];
    for (const [level, index] of nodes) {
      const h = this.nodeCache.get(`${level}/${index}`);
      if (h) out.set(`${level}/${index}`, h);
      else missing.push([level, index]);
    }
    for (const [key, h] of await fetchNodes(this.opts.db, missing)) {
      out.set(key, h);
      const [level, index] = key.split('/').map(Number);
      this.cacheNode(level, index, h);
    }
    return out;
  }

  private cacheNode(level: number, index: number, hash: Hash): void {
    if (level < CACHE_MIN_LEVEL) return;
    if (this.nodeCache.size >= CACHE_MAX_NODES) this.nodeCache.clear(); // crude bound; refills from the store
    this.nodeCache.set(`${level}/${index}`, hash);
  }
}

/** Levels from 6 up: 1/64 of the nodes (~160k at 10M entries, ~16 MB), leaving ~6 row reads per proof. */
const CACHE_MIN_LEVEL = 6;
const CACHE_MAX_NODES = 1_000_000;

class StaleLogError extends Error {
  constructor(expected: number, found: number) {
    super(`audit log moved from ${expected} to ${found} entries under us`);
  }
}

function fetchNodes(db: SqlExecutor, nodes: [number, number][]): Promise<Map<string, Hash>> {
  return nodes.length ? readNodes(db, nodes) : Promise.resolve(new Map());
}

/**
 * The file behind an embedded SQLite store (the contract's description is `sqlite:<path>`), so verification workers
 * can read it with their own read-only connections; undefined for PostgreSQL or an in-memory database.
 */
function sqliteFileOf(db: SqlDb): string | undefined {
  if (db.dialect !== 'sqlite' || !db.description.startsWith('sqlite:')) return undefined;
  const file = db.description.slice('sqlite:'.length);
  return file && file !== ':memory:' && existsSync(file) ? file : undefined;
}

/** Rebuilds the right edge of the tree from the latest checkpoint's size and the stored perfect subtrees. */
async function loadRange(db: SqlExecutor): Promise<CompactRange> {
  const size = (await latestCheckpoint(db))?.size ?? 0;
  const coords = frontierNodes(size);
  const got = await fetchNodes(db, coords);
  const hashes = coords.map(([l, i]) => {
    const h = got.get(`${l}/${i}`);
    if (!h)
      throw new Error(
        `audit log store is damaged: subtree ${l}/${i} of the latest checkpoint (size ${size}) is missing; run \`gatehouse audit verify\``,
      );
    return h;
  });
  return CompactRange.fromFrontier(size, hashes);
}
