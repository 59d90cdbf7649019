// CLI side of the audit log: reads the log over the API, resolves the pinned verifier key, checks proof files offline.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GatehouseError, InvalidInputError } from '../core/errors.js';
import type { ApiClient } from '../cli/cli-context.js';
import { decodeEntry, type AuditEnvelope } from './event.js';
import { hashLeaf, verifyInclusion } from './merkle.js';
import { openCheckpoint, parseVerifierKey, type VerifierKey } from './note.js';
import type { EntryJson, PackedEntriesJson } from './audit-api-schemas.js';
import type { PackedRows } from './verify-page.js';
import type { LogSource, TrustedCheckpoint } from './verify.js';

export const PINNED_KEY_FILE = 'audit-verifier-key';

/** Audit verification failed: exit 1, with the first bad index in the error's extra facts. */
export class AuditVerificationError extends GatehouseError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super('audit_verification_failed', 422, message, [], extra);
  }
}

export function apiSource(api: ApiClient, pageSize = 10_000): LogSource {
  return {
    latestCheckpoint: async () =>
      (await api.request<{ checkpoint: string }>('GET', '/api/v1/audit/checkpoint')).checkpoint,
    entries: async (start, limit) => {
      const r = await api.request<{ entries: EntryJson[] }>(
        'GET',
        `/api/v1/audit/entries?start=${start}&limit=${Math.min(limit, pageSize)}&raw=1`,
      );
      return r.entries.map((e) => ({
        index: e.index,
        entry: Buffer.from(e.entry, 'base64'),
        leafHash: Buffer.from(e.leafHash, 'base64'),
      }));
    },
    packedEntries: async (start, limit) => {
      const r = await api.request<{ packed: PackedEntriesJson }>(
        'GET',
        `/api/v1/audit/entries?start=${start}&limit=${Math.min(limit, pageSize)}&packed=1`,
      );
      return unpackEntries(r.packed);
    },
    checkpoints: async (after, limit) =>
      (
        await api.request<{ checkpoints: { checkpoint: string }[] }>(
          'GET',
          `/api/v1/audit/checkpoints?after=${after}&limit=${Math.min(limit, 1000)}`,
        )
      ).checkpoints.map((c) => c.checkpoint),
  };
}

/** A packed page from the server as flat buffers; anything inconsistent fails the verification (fail closed). */
export function unpackEntries(p: PackedEntriesJson): PackedRows {
  const bad = (why: string) =>
    new AuditVerificationError(`the server sent a malformed page of entries (${why}); verification cannot go on`);
  if (
    !p ||
    !Array.isArray(p.indexes) ||
    !Array.isArray(p.lengths) ||
    typeof p.leaves !== 'string' ||
    typeof p.leafHashes !== 'string'
  )
    throw bad('missing fields');
  const n = p.indexes.length;
  const data = Buffer.from(p.leaves, 'base64');
  const hashes = Buffer.from(p.leafHashes, 'base64');
  if (p.lengths.length !== n || hashes.length !== n * 32) throw bad('counts differ');
  const offsets = new Uint32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const len = p.lengths[k];
    if (!Number.isSafeInteger(len) || len < 0 || !Number.isSafeInteger(p.indexes[k])) throw bad(`row ${k}`);
    offsets[k + 1] = offsets[k] + len;
  }
  if (offsets[n] !== data.length) throw bad('leaf lengths do not add up');
  return { data, offsets, indexes: Float64Array.from(p.indexes), hashes, hasHash: new Uint8Array(n).fill(1) };
}

function parseKeyOrThrow(text: string, from: string): VerifierKey {
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw new InvalidInputError(`Verifier key from ${from} is malformed: ${(err as Error).message}`, [
      { path: from, message: 'expected <name>+<hex key id>+<base64 key>' },
    ]);
  }
}

/**
 * The key to trust: --key, else GATEHOUSE_AUDIT_KEY, else the key pinned in GATEHOUSE_HOME/audit-verifier-key,
 * else (trust on first use) the server's key, which is then pinned. `note` says which, for the output.
 */
export async function resolveKey(opts: {
  key?: string;
  env: Record<string, string | undefined>;
  api?: ApiClient;
}): Promise<{ key: VerifierKey; text: string; note: string }> {
  if (opts.key) return { key: parseKeyOrThrow(opts.key, '--key'), text: opts.key.trim(), note: 'key given with --key' };
  if (opts.env.GATEHOUSE_AUDIT_KEY)
    return {
      key: parseKeyOrThrow(opts.env.GATEHOUSE_AUDIT_KEY, 'GATEHOUSE_AUDIT_KEY'),
      text: opts.env.GATEHOUSE_AUDIT_KEY.trim(),
      note: 'key from GATEHOUSE_AUDIT_KEY',
    };
  const pinned = join(resolve(opts.env.GATEHOUSE_HOME ?? '.gatehouse'), PINNED_KEY_FILE);
  if (existsSync(pinned)) {
    const text = readFileSync(pinned, 'utf8').trim();
    return { key: parseKeyOrThrow(text, pinned), text, note: `pinned key from ${pinned}` };
  }
  if (!opts.api)
    throw new InvalidInputError('No verifier key: pass --key <name>+<id>+<key> or set GATEHOUSE_AUDIT_KEY');
  const text = (await opts.api.request<{ verifierKey: string }>('GET', '/api/v1/audit/key')).verifierKey;
  const key = parseKeyOrThrow(text, 'the server');
  try {
    writeFileSync(pinned, text + '\n', { mode: 0o644, flag: 'wx' });
  } catch {
    return { key, text, note: 'key fetched from the server (not pinned: could not write the pin file)' };
  }
  return { key, text, note: `key fetched from the server and pinned in ${pinned} (trust on first use)` };
}

/** Checkpoints to hold the log to: a saved note file and the JSON lines of a witness file or witness URL. */
export async function readTrusted(checkpointFile?: string, witnessFile?: string): Promise<TrustedCheckpoint[]> {
  const out: TrustedCheckpoint[] = [];
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new InvalidInputError(
        `Cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        [{ path: f, message: 'check the path' }],
      );
    }
  };
  // A note saved from a terminal may have lost its final newline; the signature does not cover it.
  if (checkpointFile)
    out.push({ label: `saved checkpoint ${checkpointFile}`, note: read(checkpointFile).replace(/\n*$/, '\n') });
  if (witnessFile) {
    const text = /^https?:\/\//.test(witnessFile) ? await fetchWitness(witnessFile) : read(witnessFile);
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let note: unknown;
      try {
        note = (JSON.parse(line) as { checkpoint?: unknown }).checkpoint;
      } catch {
        note = undefined;
      }
      if (typeof note !== 'string')
        throw new InvalidInputError(`${witnessFile} line ${i + 1} is not {"checkpoint": "<signed note>"}`, [
          { path: `${witnessFile}:${i + 1}`, message: 'expected a JSON line with a checkpoint' },
        ]);
      out.push({ label: `witness ${witnessFile} line ${i + 1}`, note });
    });
  }
  return out;
}

async function fetchWitness(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new GatehouseError('unavailable', 503, `Cannot fetch the witness ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new GatehouseError('unavailable', 503, `The witness ${url} answered HTTP ${res.status}`);
  return res.text();
}

/** The self-contained proof `audit proof` writes and any RFC 6962 verifier can check. */
export interface ProofFile {
  entry: string;
  leafIndex: number;
  treeSize: number;
  inclusionPath: string[];
  checkpoint: string;
  verifierKey: string;
  leafHash?: string;
  rootHash?: string;
}

/** Checks a proof file offline against `key`; returns the entry, or throws AuditVerificationError saying what is wrong. */
export function checkProofFile(p: ProofFile, key: VerifierKey): { event: AuditEnvelope; origin: string } {
  const fields: [keyof ProofFile, string][] = [
    ['entry', 'string'],
    ['leafIndex', 'number'],
    ['treeSize', 'number'],
    ['checkpoint', 'string'],
    ['verifierKey', 'string'],
  ];
  for (const [f, type] of fields)
    if (typeof p[f] !== type)
      throw new InvalidInputError(`Proof file field ${f} must be a ${type}`, [
        { path: f, message: `must be a ${type}` },
      ]);
  if (!Array.isArray(p.inclusionPath) || p.inclusionPath.some((h) => typeof h !== 'string'))
    throw new InvalidInputError('Proof file field inclusionPath must be an array of base64 strings');
  let cp;
  try {
    cp = openCheckpoint(p.checkpoint, key);
  } catch (err) {
    throw new AuditVerificationError(`proof rejected: checkpoint: ${(err as Error).message}`);
  }
  if (cp.size !== p.treeSize)
    throw new AuditVerificationError(
      `proof rejected: treeSize ${p.treeSize} differs from the checkpoint's size ${cp.size}`,
    );
  const entry = Buffer.from(p.entry, 'base64');
  try {
    verifyInclusion(
      p.leafIndex,
      p.treeSize,
      hashLeaf(entry),
      p.inclusionPath.map((h) => Buffer.from(h, 'base64')),
      cp.root,
    );
  } catch (err) {
    throw new AuditVerificationError(`proof rejected: entry ${p.leafIndex}: ${(err as Error).message}`, {
      index: p.leafIndex,
    });
  }
  let event: AuditEnvelope;
  try {
    event = decodeEntry(entry);
  } catch (err) {
    throw new AuditVerificationError(
      `proof rejected: entry ${p.leafIndex} is not an audit entry: ${(err as Error).message}`,
      { index: p.leafIndex },
    );
  }
  if (event.seq !== p.leafIndex)
    throw new AuditVerificationError(`proof rejected: the entry says it is entry ${event.seq}, not ${p.leafIndex}`, {
      index: p.leafIndex,
    });
  return { event, origin: cp.origin };
}

/**
 * Fetches one entry's inclusion proof from the server and checks it (signature with the trusted key, then the path)
 * before handing it out: `audit proof` and the incident demo never show a proof that does not verify.
 */
export async function fetchVerifiedInclusionProof(
  api: ApiClient,
  env: Record<string, string | undefined>,
  index: number,
  keyText?: string,
): Promise<{ proof: ProofFile; event: AuditEnvelope }> {
  const { key, text } = await resolveKey({ key: keyText, env, api });
  const p = await api.request<{
    leafIndex: number;
    treeSize: number;
    inclusionPath: string[];
    checkpoint: string | null;
  }>('GET', `/api/v1/audit/proof/inclusion?index=${index}`);
  const e = await api.request<EntryJson>('GET', `/api/v1/audit/entries/${index}`);
  if (!p.checkpoint)
    throw new AuditVerificationError(`the server has no signed checkpoint for tree size ${p.treeSize}`);
  const cp = openCheckpoint(p.checkpoint, key);
  const proof: ProofFile = {
    entry: e.entry,
    leafIndex: p.leafIndex,
    treeSize: p.treeSize,
    inclusionPath: p.inclusionPath,
    checkpoint: p.checkpoint,
    verifierKey: text,
    leafHash: hashLeaf(Buffer.from(e.entry, 'base64')).toString('base64'),
    rootHash: cp.root.toString('base64'),
  };
  try {
    return { proof, event: checkProofFile(proof, key).event };
  } catch (err) {
    throw new AuditVerificationError(
      `the server's proof for entry ${index} does not verify: ${(err as Error).message}`,
      {
        index,
      },
    );
  }
}
