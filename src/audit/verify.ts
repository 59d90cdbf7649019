// Client-side log verification that trusts nothing the server says: recompute the tree from the entries,
// check signed checkpoints with a pinned key, and check the log extends saved / witnessed checkpoints.
import { CompactRange, hashLeaf } from './merkle.js';
import { checkPages } from './page-pipeline.js';
import type { PackedRows, PageNode } from './verify-page.js';
import { openCheckpoint, parseCheckpointBody, type Checkpoint, type VerifierKey } from './note.js';

export interface SourceEntry {
  index: number;
  entry: Buffer;
  /** The leaf hash the server recorded (optional; compared to localise a modified entry). */
  leafHash?: Buffer;
}

/** Where the verifier reads the log from (the HTTP API in the CLI, the store in tests and benches). */
export interface LogSource {
  latestCheckpoint(): Promise<string>;
  /**
   * Entries with index >= start, in index order, at most `limit`; may return every stored row, covered or not.
   * The recorded leaf hashes are wanted only when localising damage (a source may always include them).
   */
  entries(start: number, limit: number, withLeafHashes: boolean): Promise<SourceEntry[]>;
  /** Stored checkpoint notes with size > afterSize, in size order. */
  checkpoints(afterSize: number, limit: number): Promise<string[]>;
  /** Optional faster form of `entries` (with recorded hashes): the page as flat buffers, no object per row. */
  packedEntries?(start: number, limit: number): Promise<PackedRows>;
  /** A SQLite file holding the log: worker threads then read pages themselves (read-only) instead of `entries`. */
  sqliteFile?: string;
}

export interface TrustedCheckpoint {
  /** Where it came from, for messages: `saved checkpoint old.txt`, `witness line 3`. */
  label: string;
  note: string;
}

export interface VerifyProblem {
  /** First bad leaf index, when one can be named. */
  index?: number;
  message: string;
  /** `uncovered`: entries past the latest checkpoint, which on a live server may be an append in flight. */
  code?: 'uncovered';
}

/** How many times a live server's newer checkpoint is fetched before entries past it count as tampering. */
const UNCOVERED_RETRIES = 3;

export interface VerifyReport {
  ok: boolean;
  /** The signed note that was checked (the source's latest checkpoint), once its signature verified. */
  checkpoint?: string;
  size: number;
  rootHash: string;
  entriesChecked: number;
  trustedChecked: number;
  problem?: VerifyProblem;
}

const DEFAULT_PAGE = 8192;

export interface VerifyOptions {
  /** Rows per page (rounded down to a power of two; default 8192). */
  pageSize?: number;
  /** Worker threads hashing (and, for a SQLite file, reading) pages; default: cores - 1 (min 1) for logs of 50k+, else 0. */
  workers?: number;
  /**
   * Re-checking a prefix while appends go on (the server's own re-check): read nothing past the checkpoint's size
   * (rows past it are not reported as uncovered), and leave the hashing to the worker threads when there are any.
   */
  prefixOnly?: boolean;
}

/**
 * Verifies the whole log against its latest signed checkpoint. A running server appends while this reads: entries
 * past the checkpoint read at the start are then an append in flight, so the check restarts against the newer
 * checkpoint; only entries that no newer checkpoint covers (appended without signing) fail.
 */
export async function verifyLog(
  source: LogSource,
  key: VerifierKey,
  trusted: TrustedCheckpoint[] = [],
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  let report = await verifyOnce(source, key, trusted, options);
  for (let i = 0; i < UNCOVERED_RETRIES && report.problem?.code === 'uncovered'; i++) {
    const newer = await source.latestCheckpoint().catch(() => report.checkpoint);
    if (newer === report.checkpoint) break;
    report = await verifyOnce(source, key, trusted, options);
  }
  return report;
}

async function verifyOnce(
  source: LogSource,
  key: VerifierKey,
  trusted: TrustedCheckpoint[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const pageSize = 2 ** Math.floor(Math.log2(Math.max(options.pageSize ?? DEFAULT_PAGE, 1)));
  const report: VerifyReport = { ok: false, size: 0, rootHash: '', entriesChecked: 0, trustedChecked: 0 };
  const fail = (problem: VerifyProblem): VerifyReport => ({ ...report, ok: false, problem });
  let latest: Checkpoint;
  try {
    const note = await source.latestCheckpoint();
    latest = openCheckpoint(note, key);
    report.checkpoint = note;
  } catch (err) {
    return fail({ message: `latest checkpoint rejected: ${(err as Error).message}` });
  }
  report.size = latest.size;
  report.rootHash = latest.root.toString('base64');
  const pinned: { label: string; cp: Checkpoint }[] = [];
  for (const t of trusted) {
    try {
      pinned.push({ label: t.label, cp: openCheckpoint(t.note, key) });
    } catch (err) {
      return fail({ message: `${t.label} rejected: ${(err as Error).message}` });
    }
  }
  for (const p of pinned) {
    if (p.cp.size > latest.size) {
      return fail({
        index: latest.size,
        message: `the server's latest checkpoint (size ${latest.size}) is older than ${p.label} (size ${p.cp.size}): an old checkpoint was replayed or the log was rolled back; entries from index ${latest.size} are missing`,
      });
    }
  }

  // Roots to compare as the tree grows: every trusted checkpoint.
  const wanted = new Set<number>(pinned.map((p) => p.cp.size));
  const rootsAt = new Map<number, string>();

  const range = new CompactRange();
  const problem = await checkPages(
    source,
    {
      size: latest.size,
      wanted: [...wanted],
      pageSize,
      workers: options.workers,
      prefixOnly: options.prefixOnly,
    },
    (res) => {
      for (const [w, nodes] of res.cuts) {
        const at = range.clone();
        appendNodes(at, nodes);
        rootsAt.set(w, at.root().toString('base64'));
      }
      appendNodes(range, res.nodes);
    },
  );
  report.entriesChecked = range.size;
  if (problem) return fail(problem);
  if (range.size < latest.size) {
    return fail({
      index: range.size,
      message: `the latest checkpoint covers ${latest.size} entries but only ${range.size} are stored: the log was truncated or entry ${range.size} deleted`,
    });
  }
  const root = range.root().toString('base64');
  if (root !== report.rootHash) {
    const { lastGood, bad, altered } = await localise(source, pageSize);
    if (altered !== undefined)
      return fail({
        index: altered,
        message: `entry ${altered} does not match its recorded leaf hash: the entry bytes were modified`,
      });
    const where =
      bad !== undefined
        ? `entries ${lastGood}..${bad - 1} do not match the checkpoint made at size ${bad}`
        : 'the entries do not produce the signed root';
    return fail({
      index: lastGood,
      message: `recomputed root ${root} differs from the signed root ${report.rootHash}: ${where} (entries and their hashes were rewritten)`,
    });
  }
  for (const p of pinned) {
    if (p.cp.size === 0) continue;
    if (rootsAt.get(p.cp.size) !== p.cp.root.toString('base64')) {
      return fail({
        index: p.cp.size - 1,
        message: `${p.label} (size ${p.cp.size}) does not match the log's first ${p.cp.size} entries: the history before index ${p.cp.size} was rewritten (forked log)`,
      });
    }
    report.trustedChecked++;
  }
  return { ...report, ok: true };
}

function appendNodes(range: CompactRange, nodes: PageNode[]): void {
  for (const [level, hash] of nodes)
    range.appendSubtree(level, Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength));
}

/**
 * Second pass, only after a root mismatch: the first stored checkpoint whose root the entries do not reproduce
 * bounds the damage to one batch. Kept out of the main pass, where a root per checkpoint would cost log n hashes each.
 */
async function localise(
  source: LogSource,
  pageSize: number,
): Promise<{ lastGood: number; bad?: number; altered?: number }> {
  const stored = new Map<number, string>();
  for (let after = 0; ;) {
    const page = await source.checkpoints(after, 1000);
    if (page.length === 0) break;
    for (const note of page) {
      const body = parseCheckpointBody(note.slice(0, note.indexOf('\n\n') + 1));
      stored.set(body.size, body.root.toString('base64'));
      after = body.size;
    }
  }
  const range = new CompactRange();
  let lastGood = 0;
  for (let next = 0; ;) {
    const page = await source.entries(next, pageSize, true);
    if (page.length === 0) break;
    for (const row of page) {
      const leafHash = hashLeaf(row.entry);
      // The recorded hash (written with the entry) names a modified entry exactly.
      if (row.leafHash && !row.leafHash.equals(leafHash)) return { lastGood, altered: range.size };
      range.append(leafHash);
      const want = stored.get(range.size);
      if (want === undefined) continue;
      if (range.root().toString('base64') !== want) return { lastGood, bad: range.size };
      lastGood = range.size;
    }
    next = range.size;
  }
  return { lastGood };
}
