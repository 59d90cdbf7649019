// Merkle core against the transparency-dev RFC 6962 vectors, plus generated proofs checked against naive roots.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CompactRange,
  EMPTY_ROOT,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  rangeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeReader,
} from './merkle.js';
import { jsonFilesUnder, rfc6962Dir } from './test-support.js';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const dir = rfc6962Dir();

function naiveRoot(leaves: Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

function readerFor(leaves: Hash[]): NodeReader {
  return (level, index) => {
    const size = 2 ** level;
    const slice = leaves.slice(index * size, (index + 1) * size);
    assert.equal(slice.length, size, `reader asked for incomplete subtree ${level}/${index}`);
    return naiveRoot(slice);
  };
}

describe('RFC 6962 inclusion vectors', () => {
  const files = jsonFilesUnder(join(dir, 'inclusion'));
  it('finds the vectors', () => assert.ok(files.length > 50, `only ${files.length} inclusion vectors`));
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as {
      leafIdx: number;
      treeSize: number;
      root: string;
      leafHash: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    it(`${relative(dir, f)} (${v.wantErr ? 'rejected' : 'accepted'})`, () => {
      const run = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
      if (v.wantErr) assert.throws(run);
      else run();
    });
  }
});

describe('RFC 6962 consistency vectors', () => {
  const files = jsonFilesUnder(join(dir, 'consistency'));
  it('finds the vectors', () => assert.ok(files.length > 50, `only ${files.length} consistency vectors`));
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8')) as {
      size1: number;
      size2: number;
      root1: string;
      root2: string;
      proof: string[] | null;
      wantErr: boolean;
    };
    it(`${relative(dir, f)} (${v.wantErr ? 'rejected' : 'accepted'})`, () => {
      const run = () => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
      if (v.wantErr) assert.throws(run);
      else run();
    });
  }
});

describe('generated proofs', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`)));
  const read = readerFor(leaves);

  it('the RFC 6962 hashes are domain-separated (leaf and node of the same bytes differ)', () => {
    const a = hashLeaf(Buffer.alloc(0));
    assert.equal(a.toString('hex'), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.notEqual(hashChildren(a, a).toString('hex'), hashLeaf(Buffer.concat([a, a])).toString('hex'));
  });

  it('CompactRange matches the recursive root at every size and reports each completed node', () => {
    const r = new CompactRange();
    const nodes = new Map<string, string>();
    assert.deepEqual(r.root(), EMPTY_ROOT);
    for (let n = 1; n <= leaves.length; n++) {
      r.append(leaves[n - 1], (level, index, h) => nodes.set(`${level}/${index}`, h.toString('hex')));
      assert.deepEqual(r.root(), naiveRoot(leaves.slice(0, n)), `size ${n}`);
      assert.deepEqual(rangeHash(read, 0, n), naiveRoot(leaves.slice(0, n)));
    }
    assert.equal(nodes.get('3/2'), read(3, 2).toString('hex'));
    assert.equal(nodes.size, 40 - 2); // n - popcount(n) interior nodes complete
  });

  it('inclusion proofs verify for every index and size, and fail for a different leaf', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const root = naiveRoot(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const p = inclusionProof(read, i, n);
        verifyInclusion(i, n, leaves[i], p, root);
        assert.throws(() => verifyInclusion(i, n, leaves[(i + 1) % leaves.length], p, root));
      }
    }
  });

  it('consistency proofs verify for every pair of sizes and fail against a forked history', () => {
    const forked = leaves.map((l, i) => (i === 3 ? hashLeaf(Buffer.from('forged')) : l));
    for (let n = 1; n <= leaves.length; n++) {
      for (let m = 1; m <= n; m++) {
        const p = consistencyProof(read, m, n);
        verifyConsistency(m, n, p, naiveRoot(leaves.slice(0, m)), naiveRoot(leaves.slice(0, n)));
        if (m > 3)
          assert.throws(() => verifyConsistency(m, n, p, naiveRoot(forked.slice(0, m)), naiveRoot(leaves.slice(0, n))));
      }
    }
  });

  it('CompactRange resumes from a stored frontier', () => {
    const full = new CompactRange();
    leaves.slice(0, 21).forEach((l) => full.append(l));
    const resumed = CompactRange.fromFrontier(21, [read(4, 0), read(2, 4), read(0, 20)]);
    for (const l of leaves.slice(21)) {
      full.append(l);
      resumed.append(l);
    }
    assert.deepEqual(resumed.root(), full.root());
  });
});
