// One page of full log verification: check a run of rows against their expected positions, hash them, and return
// the perfect subtrees they form. Pure and synchronous so it runs in worker threads (verify-worker.ts) or inline.
import { entrySeq } from './event.js';
import { hashChildren, hashLeaf, type Hash } from './merkle.js';

export interface PageProblem {
  index: number;
  message: string;
  /** `uncovered`: the entry lies past the checkpoint being checked against. */
  code?: 'uncovered';
}

/** A perfect subtree: `level` (0 = leaf) and its hash. */
export type PageNode = [level: number, hash: Uint8Array];

export interface PageResult {
  /** Rows checked and hashed from the page's start, before any problem. */
  good: number;
  problem?: PageProblem;
  /** Perfect subtrees covering [start, start + good), aligned on absolute positions, left to right. */
  nodes: PageNode[];
  /** For each wanted tree size w in (start, start + good]: the subtrees covering [start, w). */
  cuts: [size: number, nodes: PageNode[]][];
}

/** Rows of one page, by position in the page: the stored index, the leaf bytes, and the recorded hash if known. */
export interface PageRows {
  count: number;
  index(k: number): number;
  leaf(k: number): Buffer;
  recordedHash(k: number): Buffer | undefined;
}

/** What the page must hold: rows start..., checked against the latest signed size; roots wanted at some sizes. */
export interface PageSpec {
  start: number;
  size: number;
  wanted: number[];
}

/**
 * Appends aligned subtrees from an absolute start position: a node merges with its left neighbour only when that
 * neighbour starts on a boundary of the next level, so the stack is the greedy decomposition of [start, end).
 */
class SegmentBuilder {
  private readonly stack: { level: number; begin: number; hash: Hash }[] = [];

  push(pos: number, leafHash: Hash): void {
    let level = 0;
    let begin = pos;
    let hash = leafHash;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.level !== level || top.begin % 2 ** (level + 1) !== 0) break;
      this.stack.pop();
      hash = hashChildren(top.hash, hash);
      begin = top.begin;
      level++;
    }
    this.stack.push({ level, begin, hash });
  }

  nodes(): PageNode[] {
    return this.stack.map((n) => [n.level, n.hash]);
  }
}

/** Checks and hashes rows in order; stops at the first problem (the same checks and messages as a sequential pass). */
export function checkPage(spec: PageSpec, rows: PageRows): PageResult {
  const { start, size } = spec;
  const wanted = new Set(spec.wanted.filter((w) => w > start));
  const seg = new SegmentBuilder();
  const cuts: PageResult['cuts'] = [];
  const result = (good: number, problem?: PageProblem): PageResult => ({ good, problem, nodes: seg.nodes(), cuts });
  for (let k = 0; k < rows.count; k++) {
    const i = start + k;
    const idx = rows.index(k);
    if (idx !== i) {
      return result(k, {
        index: i,
        message:
          idx > i
            ? `entry ${i} is missing (deleted); the next stored entry is ${idx}`
            : `entry ${idx} appears again after ${i - 1} (duplicated or reordered rows)`,
      });
    }
    const leaf = rows.leaf(k);
    const leafHash = hashLeaf(leaf);
    const recorded = rows.recordedHash(k);
    if (recorded && !recorded.equals(leafHash))
      return result(k, {
        index: i,
        message: `entry ${i} does not match its recorded leaf hash: the entry bytes were modified`,
      });
    const seq = entrySeq(leaf);
    if (seq === undefined)
      return result(k, { index: i, message: `entry ${i} is not a canonical audit entry (no top-level seq): modified` });
    if (seq !== i)
      return result(k, {
        index: i,
        message: `entry at index ${i} says it is entry ${seq}: rows were swapped, moved or inserted`,
      });
    if (i >= size) {
      return result(k, {
        index: i,
        message: `entry ${i} is not covered by the latest signed checkpoint (size ${size}): an old checkpoint was replayed or entries were appended without signing`,
        code: 'uncovered',
      });
    }
    seg.push(i, leafHash);
    if (wanted.has(i + 1)) cuts.push([i + 1, seg.nodes()]);
  }
  return result(rows.count);
}

/** Rows packed in flat buffers (cheap to hand to a worker thread): leaves back to back, offsets[k]..offsets[k + 1]. */
export interface PackedRows {
  data: Uint8Array;
  offsets: Uint32Array;
  indexes: Float64Array;
  /** 32 bytes per row; rows whose flag in `hasHash` is 0 have no recorded hash. */
  hashes: Uint8Array;
  hasHash: Uint8Array;
}

export function packRows(rows: { index: number; entry: Buffer; leafHash?: Buffer }[]): PackedRows {
  const offsets = new Uint32Array(rows.length + 1);
  for (let k = 0; k < rows.length; k++) offsets[k + 1] = offsets[k] + rows[k].entry.length;
  const data = Buffer.allocUnsafeSlow(offsets[rows.length]);
  const hashes = Buffer.alloc(rows.length * 32);
  const hasHash = new Uint8Array(rows.length);
  const indexes = new Float64Array(rows.length);
  rows.forEach((r, k) => {
    r.entry.copy(data, offsets[k]);
    indexes[k] = r.index;
    if (r.leafHash?.length === 32) {
      r.leafHash.copy(hashes, k * 32);
      hasHash[k] = 1;
    }
  });
  return { data, offsets, indexes, hashes, hasHash };
}

export function packedRows(p: PackedRows): PageRows {
  const data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength);
  const hashes = Buffer.from(p.hashes.buffer, p.hashes.byteOffset, p.hashes.byteLength);
  return {
    count: p.indexes.length,
    index: (k) => p.indexes[k],
    leaf: (k) => data.subarray(p.offsets[k], p.offsets[k + 1]),
    recordedHash: (k) => (p.hasHash[k] ? hashes.subarray(k * 32, k * 32 + 32) : undefined),
  };
}
