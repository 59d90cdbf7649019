// The verifiable audit log: an AuditSink with group commit, a signed checkpoint per batch, and proofs from stored subtrees.
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { InvalidInputError, NotFoundError, UnavailableError } from '../core/errors.js';
import {
  AuditLogDamagedError,
  checkExtends,
  checkHead,
  CountSchedule,
  recheckStored,
  StaleLogError,
  storedRange,
  TamperedError,
} from './audit-integrity.js';
import { pinCheckpoint, pinnedCheckpointPath, readPinnedCheckpoint } from './checkpoint-pin.js';
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
import { CompactRange, consistencyProof, hashLeaf, inclusionProof, withFetchedNodes, type Hash } from './merkle.js';
import { openCheckpoint, parseVerifierKey, rawPublicKey, signCheckpoint, verifierKeyString } from './note.js';
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
  /** Re-check every stored entry against the tree held in memory this often (ms; 0: only when the log opens). */
  scrubIntervalMs: number;
}

export const defaultAuditConfig: AuditConfig = { origin: 'gatehouse/audit', maxBatch: 5000, scrubIntervalMs: 600_000 };

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
  private readonly countSchedule = new CountSchedule();
  /** The check of the stored entries made on open: appends wait for it (nothing is recorded on an unchecked log). */
  private opened: Promise<void> = Promise.resolve();
  private scrubbing: Promise<void> | undefined;
  private scrubTimer: NodeJS.Timeout | undefined;
  /** Newest checkpoint not yet written to the pin file, and the writer at work (one at a time, newest wins). */
  private pinPending: string | undefined;
  private pinWriting: Promise<void> | undefined;

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
      damaged = await checkPin(opts.db, opts.home, range, verifierKeyString(cfg.origin, rawPublicKey(key)));
    } catch (err) {
      damaged = (err as Error).message;
      range = new CompactRange();
    }
    const log = new AuditLog(opts, cfg, key, salt, range);
    // Start anyway so auditors can read and verify what is left, but refuse to append on top of it (fail closed).
    if (damaged) log.markDamaged(damaged);
    else log.opened = log.scrub();
    if (cfg.scrubIntervalMs > 0) {
      log.scrubTimer = setInterval(() => void log.scrub(), cfg.scrubIntervalMs);
      log.scrubTimer.unref();
    }
    return log;
  }

  /** Set once the store is found not to hold what was recorded: reads work, appends and proofs fail with 503. */
  private damaged?: string;

  private markDamaged(problem: string): void {
    if (this.damaged) return;
    this.damaged = problem;
    this.opts.logger.error('audit log store is damaged; appends are refused until it is repaired', { problem });
  }

  private checkIntact(): void {
    if (this.damaged) throw new AuditLogDamagedError(this.damaged);
  }

  /**
   * Re-checks every stored entry against the tree this process holds (on open, every `scrubIntervalMs`, and on
   * demand); a mismatch marks the log damaged. Resolves with the problem found, if any.
   */
  scrub(): Promise<void> {
    this.scrubbing ??= (async () => {
      try {
        if (this.damaged) return;
        const problem = await recheckStored(
          this.opts.db,
          this.range.clone(),
          { origin: this.origin, key: this.key, verifierKey: this.verifierKey },
          sqliteFileOf(this.opts.db),
        );
        if (problem) this.markDamaged(problem);
      } catch (err) {
        this.opts.logger.warn('audit log re-check could not run', { error: (err as Error).message });
      } finally {
        this.scrubbing = undefined;
      }
    })();
    return this.scrubbing;
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
    if (this.damaged) return Promise.reject(new AuditLogDamagedError(this.damaged));
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

  /** Resolves once every queued append is committed and its checkpoint offered to the witness and pinned. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    await this.pinWriting;
    await this.witness.flush();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.scrubTimer);
    await this.flush();
    await this.scrubbing;
  }

  private async drain(): Promise<void> {
    await this.opened;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.cfg.maxBatch);
      try {
        this.checkIntact();
        const indexes = await this.commit(batch);
        batch.forEach((p, i) => (indexes[i] === undefined ? undefined : p.resolve({ index: indexes[i] })));
      } catch (err) {
        if (err instanceof TamperedError) this.markDamaged(err.message);
        // Fail closed: the callers' actions must not proceed unrecorded.
        const failure = this.damaged
          ? new AuditLogDamagedError(this.damaged)
          : new UnavailableError(
              `The audit log could not record the event (${(err as Error).message}); the action was not recorded, retry later or run \`gatehouse audit verify\`.`,
            );
        if (!this.damaged)
          this.opts.logger.error('audit batch failed', { error: (err as Error).message, entries: batch.length });
        for (const p of batch) p.reject(failure);
      }
    }
  }

  /**
   * Pins the newest checkpoint in GATEHOUSE_HOME, off the append path: one write at a time, and checkpoints made
   * meanwhile collapse into the newest (a pin that lags by a write is only less strict, never wrong).
   */
  private schedulePin(note: string): void {
    this.pinPending = note;
    this.pinWriting ??= this.writePins();
  }

  private async writePins(): Promise<void> {
    while (this.pinPending !== undefined) {
      const note = this.pinPending;
      this.pinPending = undefined;
      try {
        await pinCheckpoint(this.opts.home, note);
      } catch (err) {
        this.opts.logger.warn('audit checkpoint pin not written', {
          file: pinnedCheckpointPath(this.opts.home),
          error: (err as Error).message,
        });
      }
    }
    this.pinWriting = undefined;
  }

  /**
   * Encodes, hashes and signs outside the transaction (so other features' queries are not held up), then, holding
   * the append lock, checks the stored head (audit-integrity.ts) and writes the batch and its checkpoint in one
   * transaction. If another writer (a replica) appended meanwhile, catches up under the lock (checking the log still
   * begins with what this process held) and prepares again there, so contention costs a re-sign, not a retry.
   */
  private async commit(batch: Pending[]): Promise<(number | undefined)[]> {
    const rejected = new Set<Pending>();
    for (let attempt = 0; ; attempt++) {
      let prepared = this.prepare(batch, rejected);
      try {
        if (prepared.rows.length > 0) {
          await this.opts.db.transaction(async (tx) => {
            await lockAppends(tx);
            try {
              await checkHead(tx, this.range, this.countSchedule);
            } catch (err) {
              if (!(err instanceof StaleLogError)) throw err;
              await this.catchUp(tx);
              prepared = this.prepare(batch, rejected);
              await checkHead(tx, this.range, this.countSchedule);
            }
            if (prepared.rows.length === 0) return;
            await insertEntries(tx, prepared.rows);
            await insertCheckpoint(tx, {
              size: prepared.range.size,
              root: prepared.root,
              note: prepared.note,
              time: this.opts.clock.now(),
            });
          });
          if (prepared.rows.length === 0) return prepared.indexes;
          this.range = prepared.range;
          for (const [level, index, hash] of prepared.upper) this.cacheNode(level, index, hash);
          if (this.witness.enabled) this.witness.record(prepared.note);
          this.schedulePin(prepared.note);
        }
        return prepared.indexes;
      } catch (err) {
        if (err instanceof TamperedError || attempt >= 4) throw err;
        await this.catchUp(this.opts.db); // a write failed: reload (checked) and retry
      }
    }
  }

  /** Reloads the tree's right edge from the store after another writer appended; it must extend what was held. */
  private async catchUp(db: SqlExecutor): Promise<void> {
    const before = this.range;
    const next = await loadRange(db);
    if (next.size < before.size)
      throw new TamperedError(
        `the stored log holds ${next.size} entries but ${before.size} were recorded: the log was cut back`,
      );
    await checkExtends(db, before);
    this.range = next;
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

/**
 * Serialises appenders across replicas: PostgreSQL locks the checkpoint table against other writers until commit
 * (readers go on); SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
 */
async function lockAppends(tx: SqlExecutor): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run('LOCK TABLE audit_checkpoints IN EXCLUSIVE MODE');
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

/**
 * Rebuilds the right edge of the tree from the latest checkpoint's size and the stored perfect subtrees, and checks
 * they give that checkpoint's root.
 */
async function loadRange(db: SqlExecutor): Promise<CompactRange> {
  const head = await latestCheckpoint(db);
  const range = await storedRange(db, head?.size ?? 0);
  if (head && !range.root().equals(head.root))
    throw new TamperedError(
      `the stored subtree hashes do not give the root of the newest checkpoint (size ${head.size}): rows or checkpoints were modified`,
    );
  return range;
}

/**
 * The checkpoint pinned in GATEHOUSE_HOME (outside the database) must verify with this server's key and be a prefix
 * of the stored log: not larger (cut back), and the stored tree at its size has its root (not rewritten).
 */
async function checkPin(
  db: SqlExecutor,
  home: string,
  range: CompactRange,
  verifierKey: string,
): Promise<string | undefined> {
  const note = readPinnedCheckpoint(home);
  if (note === undefined) return undefined;
  const file = pinnedCheckpointPath(home);
  const reset = `if the database was restored from an older backup on purpose, delete ${file} and restart`;
  let pinned;
  try {
    pinned = openCheckpoint(note, parseVerifierKey(verifierKey));
  } catch (err) {
    return `the pinned checkpoint ${file} does not verify with this server's key (${(err as Error).message}); if the signing key was replaced on purpose, delete it and restart`;
  }
  if (pinned.size > range.size)
    return `the pinned checkpoint ${file} is for size ${pinned.size} but the database holds ${range.size} entries: the log was cut back (${reset})`;
  if (pinned.size > 0 && !(await storedRange(db, pinned.size)).root().equals(pinned.root))
    return `the pinned checkpoint ${file} (size ${pinned.size}) does not match the stored log's first ${pinned.size} entries: its history was rewritten (${reset})`;
  return undefined;
}
