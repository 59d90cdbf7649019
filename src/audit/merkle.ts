// RFC 6962 / RFC 9162 Merkle tree core: hashing with domain separation, proof generation and verification.
// Hand-written on purpose: no npm package implements RFC 6962 correctly (merkletreejs lacks domain separation).
import { hash as cryptoHash } from 'node:crypto';

export type Hash = Buffer;

const NODE_PREFIX = Buffer.from([1]);

export function sha256(data: Buffer): Hash {
  return cryptoHash('sha256', data, 'buffer') as Buffer;
}

// Reused input buffers: hashing is synchronous, and skipping Buffer.concat makes tree work ~1.5x faster.
let leafScratch = Buffer.alloc(1024);
const nodeScratch = Buffer.alloc(65);
nodeScratch[0] = 0x01;

/** SHA-256(0x00 || entry). */
export function hashLeaf(entry: Buffer): Hash {
  if (entry.length + 1 > leafScratch.length)
    leafScratch = Buffer.alloc(Math.max(entry.length + 1, leafScratch.length * 2));
  leafScratch[0] = 0x00;
  entry.copy(leafScratch, 1);
  return sha256(leafScratch.subarray(0, entry.length + 1));
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Hash, right: Hash): Hash {
  if (left.length !== 32 || right.length !== 32) return sha256(Buffer.concat([NODE_PREFIX, left, right]));
  left.copy(nodeScratch, 1);
  right.copy(nodeScratch, 33);
  return sha256(nodeScratch);
}

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256(Buffer.alloc(0));

/** Largest power of two strictly less than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Incremental tree builder over the right edge ("compact range"): the perfect subtrees that make up [0, size).
 * `onNode` sees every completed interior node (level >= 1), so callers can persist them.
 */
export class CompactRange {
  /** Perfect subtree roots from left (largest) to right (smallest), with their levels. */
  private readonly stack: { level: number; hash: Hash }[] = [];
  size = 0;

  static fromFrontier(size: number, hashes: Hash[]): CompactRange {
    const r = new CompactRange();
    const levels = frontierLevels(size);
    if (levels.length !== hashes.length)
      throw new Error(`frontier of size ${size} needs ${levels.length} hashes, got ${hashes.length}`);
    levels.forEach((level, i) => r.stack.push({ level, hash: hashes[i] }));
    r.size = size;
    return r;
  }

  clone(): CompactRange {
    const r = new CompactRange();
    r.stack.push(...this.stack.map((e) => ({ ...e })));
    r.size = this.size;
    return r;
  }

  append(leafHash: Hash, onNode?: (level: number, index: number, hash: Hash) => void): void {
    let level = 0;
    let h = leafHash;
    let index = this.size;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].level === level) {
      const left = this.stack.pop()!;
      h = hashChildren(left.hash, h);
      level++;
      index = Math.floor(index / 2);
      onNode?.(level, index, h);
    }
    this.stack.push({ level, hash: h });
    this.size++;
  }

  /** Appends a whole perfect subtree of 2^level leaves; the size must be a multiple of 2^level (it is then aligned). */
  appendSubtree(level: number, hash: Hash): void {
    if (this.size % 2 ** level !== 0)
      throw new Error(`a subtree of level ${level} cannot start at position ${this.size}`);
    let l = level;
    let h = hash;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].level === l) {
      h = hashChildren(this.stack.pop()!.hash, h);
      l++;
    }
    this.stack.push({ level: l, hash: h });
    this.size += 2 ** level;
  }

  root(): Hash {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let h = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = hashChildren(this.stack[i].hash, h);
    return h;
  }
}

/** Levels of the perfect subtrees covering [0, size), left to right (the set bits of size, high to low). */
export function frontierLevels(size: number): number[] {
  const out: number[] = [];
  for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) out.push(level);
  return out;
}

/** Node coordinates of the frontier of `size`: [level, index] of each perfect subtree, left to right. */
export function frontierNodes(size: number): [number, number][] {
  let start = 0;
  return frontierLevels(size).map((level) => {
    const node: [number, number] = [level, start / 2 ** level];
    start += 2 ** level;
    return node;
  });
}

/** Reads the hash of a perfect subtree: level 0 is a leaf hash, index counts subtrees of that level from the left. */
export type NodeReader = (level: number, index: number) => Hash;

/** MTH(D[start:end]) from perfect subtrees (at most 2 log n reads). */
export function rangeHash(read: NodeReader, start: number, end: number): Hash {
  const n = end - start;
  if (n <= 0) throw new Error(`empty range ${start}..${end}`);
  if (isPowerOfTwo(n) && start % n === 0) return read(Math.round(Math.log2(n)), start / n);
  const k = splitPoint(n);
  return hashChildren(rangeHash(read, start, start + k), rangeHash(read, start + k, end));
}

/** Exact for every safe integer (Math.log2 alone can round 2^k + 1 to k). */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** RFC 9162 PATH(m, D[0:n]) as a list of sibling hashes, leaf-most first. */
export function inclusionProof(read: NodeReader, index: number, size: number): Hash[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not inside a tree of size ${size}`);
  }
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(rangeHash(read, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(rangeHash(read, start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 9162 PROOF(m, D[0:n]): consistency proof between sizes m and n (0 < m <= n). */
export function consistencyProof(read: NodeReader, m: number, size: number): Hash[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(size) || m < 1 || m > size) {
    throw new RangeError(`consistency needs 0 < size1 <= size2, got ${m} and ${size}`);
  }
  const proof: Hash[] = [];
  const sub = (mm: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (mm === n) {
      if (!complete) proof.push(rangeHash(read, start, end));
      return;
    }
    const k = splitPoint(n);
    if (mm <= k) {
      sub(mm, start, start + k, complete);
      proof.push(rangeHash(read, start + k, end));
    } else {
      sub(mm - k, start + k, end, false);
      proof.push(rangeHash(read, start, start + k));
    }
  };
  sub(m, 0, size, true);
  return proof;
}

/** Runs a proof builder twice: once to learn which nodes it reads, once with them fetched in one go. */
export async function withFetchedNodes<T>(
  build: (read: NodeReader) => T,
  fetch: (nodes: [number, number][]) => Promise<Map<string, Hash>>,
): Promise<T> {
  const wanted = new Map<string, [number, number]>();
  const dummy = Buffer.alloc(32);
  build((level, index) => {
    wanted.set(`${level}/${index}`, [level, index]);
    return dummy;
  });
  const got = await fetch([...wanted.values()]);
  return build((level, index) => {
    const h = got.get(`${level}/${index}`);
    if (!h) throw new Error(`tree node ${level}/${index} is missing from the store`);
    return h;
  });
}

/** Root implied by an inclusion proof (RFC 9162 section 2.1.3.2), or an error saying why the proof is malformed. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Hash, proof: Hash[]): Hash {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new Error(`leaf index ${index} is beyond tree size ${size}`);
  }
  if (leafHash.length !== 32) throw new Error('leaf hash must be 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new Error('proof is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof is shorter than the tree is deep');
  return r;
}

/** Throws unless `proof` shows `leafHash` at `index` in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Hash, proof: Hash[], root: Hash): void {
  const got = rootFromInclusionProof(index, size, leafHash, proof);
  if (!got.equals(root)) throw new Error('inclusion proof does not lead to the expected root');
}

/** Throws unless `proof` shows the tree (size1, root1) is a prefix of (size2, root2). RFC 9162 section 2.1.4.2. */
export function verifyConsistency(size1: number, size2: number, proof: Hash[], root1: Hash, root2: Hash): void {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < 0)
    throw new Error('sizes must be non-negative integers');
  if (size2 < size1) throw new Error(`size2 (${size2}) is smaller than size1 (${size1})`);
  // A consistency check from the empty tree proves nothing; a caller wanting one has made a mistake.
  if (size1 === 0) throw new Error('size1 is zero: consistency with the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length > 0) throw new Error('sizes are equal but the proof is not empty');
    if (!root1.equals(root2)) throw new Error('sizes are equal but the roots differ');
    return;
  }
  if (proof.length === 0) throw new Error('proof is empty');
  let path = proof;
  // If size1 is a power of two, root1 is itself the first node of the path.
  if (isPowerOfTwo(size1)) path = [root1, ...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error('consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('consistency proof is too short');
  if (!fr.equals(root1)) throw new Error('consistency proof does not lead to root1 (the older tree is not a prefix)');
  if (!sr.equals(root2)) throw new Error('consistency proof does not lead to root2');
}
