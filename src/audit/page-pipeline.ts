// Runs full verification's pages through worker threads (piscina), in order: pages are read and hashed in parallel
// while their results (a few subtree hashes each) are merged on the calling thread, so the first problem is exact.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { packRows, type PageProblem } from './verify-page.js';
import { closeReaders, runVerifyTask, type VerifyTask, type VerifyTaskResult } from './verify-worker.js';
import type { LogSource } from './verify.js';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './verify-worker-tsx.mjs' : './verify-worker.js',
  import.meta.url,
).href;

/** Below this many entries worker start-up costs more than it saves: pages run inline on the calling thread. */
const WORKER_THRESHOLD = 50_000;

/** One thread per core, counting the caller (it checks pages too whenever no result is waiting); none for small logs. */
export function defaultWorkers(size: number): number {
  return size >= WORKER_THRESHOLD ? Math.max(1, Math.min(availableParallelism(), 8) - 1) : 0;
}

export interface PipelineOptions {
  size: number;
  wanted: number[];
  pageSize: number;
  workers?: number;
  /** Read nothing past `size`, and do not check pages on the calling thread while workers can (server re-checks). */
  prefixOnly?: boolean;
}

/**
 * Checks every stored row in index order, calling `onPage` with each page's result in order; returns the first
 * problem, if any. With a SQLite file the workers read their pages themselves; otherwise this thread fetches pages
 * from `source.entries` (one ahead, so an HTTP fetch overlaps the hashing) and hands them over packed.
 */
export async function checkPages(
  source: LogSource,
  opts: PipelineOptions,
  onPage: (r: VerifyTaskResult) => void,
): Promise<PageProblem | undefined> {
  const workers = opts.workers ?? defaultWorkers(opts.size);
  const pool =
    workers > 0
      ? new Piscina({ filename: WORKER_URL, minThreads: workers, maxThreads: workers, atomics: 'disabled' })
      : undefined;
  // A worker failure reaches its task's promise; the pool-level event must not crash the caller.
  pool?.on('error', () => undefined);
  const next = source.sqliteFile ? sqliteTasks(source.sqliteFile, opts) : fetchedTasks(source, opts);
  // Results in task order; each settles when its page is checked (by a worker, or by this thread).
  const queue: Slot[] = [];
  let inPool = 0;
  let pending: Promise<VerifyTask | undefined> | undefined = next();
  const take = async (): Promise<VerifyTask | undefined> => {
    const task = await pending;
    pending = task ? next() : undefined;
    return task;
  };
  const more = (): boolean => pending !== undefined;
  try {
    for (;;) {
      // Keep every worker busy (plus one queued page each); results are small, pages in the pool are bounded.
      while (pool && more() && inPool < workers * 2 && queue.length < MAX_QUEUED) {
        const task = await take();
        if (!task) break;
        inPool++;
        queue.push(slot(pool.run(task).finally(() => inPool--)));
      }
      const head = queue[0];
      if (!head || (!head.settled && more() && queue.length < MAX_QUEUED && !(pool && opts.prefixOnly))) {
        // Nothing back yet: this thread checks the next page itself rather than wait (workers still starting, or the
        // cores busy with other work), then lets the event loop deliver worker results and HTTP replies.
        const task = await take();
        if (task) {
          queue.push(slot(Promise.resolve(runVerifyTask(task))));
          await new Promise((r) => setImmediate(r));
          continue;
        }
        if (!head) return undefined;
      }
      const res = await head.promise;
      queue.shift();
      onPage(res);
      if (res.problem) return res.problem;
    }
  } finally {
    // Let pages still in flight finish before the pool goes: destroying under a running task races piscina.
    await Promise.allSettled(queue.map((q) => q.promise));
    pending?.catch(() => undefined); // a prefetched page past a problem is not needed
    await pool?.destroy();
    closeReaders();
  }
}

const MAX_QUEUED = 256;

interface Slot {
  promise: Promise<VerifyTaskResult>;
  settled: boolean;
}

function slot(promise: Promise<VerifyTaskResult>): Slot {
  const s: Slot = { promise, settled: false };
  promise.then(
    () => (s.settled = true),
    () => (s.settled = true),
  ); // awaited in order by the caller
  return s;
}

/** Fixed windows of pageSize rows up to the signed size; the last one also looks past it. */
function sqliteTasks(file: string, opts: PipelineOptions): () => Promise<VerifyTask | undefined> {
  let start = 0;
  let done = false;
  return async () => {
    if (done) return undefined;
    const last = start + opts.pageSize >= opts.size;
    const task: VerifyTask = {
      kind: 'sqlite',
      file,
      start,
      size: opts.size,
      wanted: opts.wanted,
      pageSize: opts.pageSize,
      last,
      prefixOnly: opts.prefixOnly,
    };
    start += opts.pageSize;
    done = last;
    return task;
  };
}

/** Pages from the source's `entries`, each starting after the last row of the one before. */
function fetchedTasks(source: LogSource, opts: PipelineOptions): () => Promise<VerifyTask | undefined> {
  let start = 0;
  const packed = source.packedEntries?.bind(source);
  if (packed) {
    return async () => {
      const rows = await packed(start, opts.pageSize);
      if (rows.indexes.length === 0) return undefined;
      const task: VerifyTask = { kind: 'rows', start, size: opts.size, wanted: opts.wanted, rows };
      start = rows.indexes[rows.indexes.length - 1] + 1;
      return task;
    };
  }
  return async () => {
    const page = await source.entries(start, opts.pageSize, false);
    if (page.length === 0) return undefined;
    const task: VerifyTask = { kind: 'rows', start, size: opts.size, wanted: opts.wanted, rows: packRows(page) };
    start = page[page.length - 1].index + 1;
    return task;
  };
}
