// HTTP API of the audit log: checkpoints, entries, inclusion and consistency proofs, and the verifier key.
import { z } from 'zod';
import { NotFoundError } from '../core/errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import type { Role } from '../identity/principal.js';
import type { AuditLog } from './audit-log.js';
import type { EntryRow } from './audit-store.js';
import {
  checkpointListSchema,
  consistencyProofSchema,
  entriesPageSchema,
  entryJsonSchema,
  inclusionProofSchema,
  latestCheckpointSchema,
  verifierKeySchema,
  type EntryJson,
  type PackedEntriesJson,
} from './audit-api-schemas.js';

const READERS: readonly Role[] = ['auditor', 'security'];
const TAG = 'audit';
const MAX_PAGE = 10_000;

const int = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(0, `${name} must be >= 0`);

const entriesQuery = z.object({
  start: int('start').optional(),
  limit: int('limit').max(MAX_PAGE, `limit must be at most ${MAX_PAGE}`).optional(),
  app: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  /** raw=1 leaves out the parsed `event` (verifiers only need the leaf bytes). */
  raw: z.enum(['0', '1'], { error: 'raw must be 0 or 1' }).optional(),
  /** packed=1 answers {packed, next} instead of {entries, next}: one base64 string per page (verifiers' fast path). */
  packed: z.enum(['0', '1'], { error: 'packed must be 0 or 1' }).optional(),
  /** order=desc: newest first (start is ignored; next is null). Not with packed=1. */
  order: z.enum(['asc', 'desc'], { error: 'order must be asc or desc' }).optional(),
  since: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be an ISO 8601 time such as 2026-01-31T00:00:00Z')
    .optional(),
});

export function entryJson(e: EntryRow, withEvent = true): EntryJson {
  let event: unknown = null;
  try {
    event = withEvent ? JSON.parse(e.leaf.toString('utf8')) : null;
  } catch {
    event = null;
  }
  return {
    index: e.index,
    entry: e.leaf.toString('base64'),
    leafHash: e.leafHash.toString('base64'),
    time: new Date(e.time).toISOString(),
    event,
  };
}

function packedJson(rows: EntryRow[]): PackedEntriesJson {
  const hashes = Buffer.alloc(rows.length * 32);
  rows.forEach((r, k) => (r.leafHash.length === 32 ? r.leafHash.copy(hashes, k * 32) : undefined));
  return {
    indexes: rows.map((r) => r.index),
    lengths: rows.map((r) => r.leaf.length),
    leaves: Buffer.concat(rows.map((r) => r.leaf)).toString('base64'),
    leafHashes: hashes.toString('base64'),
  };
}

export function auditRoutes(log: AuditLog): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/key',
      tag: TAG,
      access: 'public',
      summary: 'Get the audit checkpoint verifier key',
      response: verifierKeySchema,
      handler: async () => ({
        verifierKey: log.verifierKey,
        origin: log.origin,
        publicKey: log.publicKey.toString('base64'),
        algorithm: 'ed25519',
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/checkpoint',
      tag: TAG,
      access: READERS,
      summary: 'Get the latest signed audit checkpoint',
      response: latestCheckpointSchema,
      handler: async () => {
        const c = await log.latestCheckpoint();
        if (!c) throw new NotFoundError('Audit checkpoint', 'latest', 'nothing has been recorded yet');
        return {
          checkpoint: c.note,
          size: c.size,
          rootHash: c.root.toString('base64'),
          time: new Date(c.time).toISOString(),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/checkpoints',
      tag: TAG,
      access: READERS,
      summary: 'List stored audit checkpoints',
      response: checkpointListSchema,
      query: z.object({
        after: int('after').optional(),
        limit: int('limit').max(1000, 'limit must be at most 1000').optional(),
      }),
      handler: async ({ query }) => {
        const rows = await log.checkpoints(query.after ?? 0, query.limit ?? 1000);
        return { checkpoints: rows.map((c) => ({ size: c.size, checkpoint: c.note })) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/entries',
      tag: TAG,
      access: READERS,
      summary: 'List audit entries',
      response: entriesPageSchema,
      query: entriesQuery,
      handler: async ({ query }) => {
        const limit = query.limit ?? 1000;
        if (
          query.packed === '1' &&
          query.app === undefined &&
          query.type === undefined &&
          query.since === undefined &&
          query.order !== 'desc'
        ) {
          const flat = await log.flatEntries(query.start ?? 0, query.limit ?? 1000);
          if (flat) {
            const n = flat.indexes.length;
            const packed: PackedEntriesJson = {
              indexes: flat.indexes,
              lengths: flat.lengths,
              leaves: flat.leaves.toString('base64'),
              leafHashes: flat.leafHashes.toString('base64'),
            };
            return { packed, next: n === (query.limit ?? 1000) ? flat.indexes[n - 1] + 1 : null };
          }
        }
        const lean = query.raw === '1' || query.packed === '1';
        const desc = query.order === 'desc';
        const rows = await log.entries({
          start: query.start ?? 0,
          limit,
          app: query.app,
          type: query.type,
          sinceMs: query.since ? Date.parse(query.since) : undefined,
          lean,
          newest: desc,
        });
        const next = !desc && rows.length === limit ? rows[rows.length - 1].index + 1 : null;
        if (query.packed === '1') return { packed: packedJson(rows), next };
        return {
          entries: rows.map((e) => entryJson(e, query.raw !== '1')),
          next,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/entries/:index',
      tag: TAG,
      access: READERS,
      summary: 'Get one audit entry',
      response: entryJsonSchema,
      handler: async ({ params }) => {
        const index = Number(params.index);
        if (!/^\d+$/.test(params.index) || !Number.isSafeInteger(index))
          throw new NotFoundError('Audit entry', params.index, 'use a number');
        return entryJson(await log.entry(index));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/proof/inclusion',
      tag: TAG,
      access: READERS,
      summary: 'Get an audit inclusion proof',
      response: inclusionProofSchema,
      query: z.object({ index: int('index'), treeSize: int('treeSize').optional() }),
      handler: async ({ query }) => {
        const p = await log.inclusionProof(query.index, query.treeSize ?? log.size);
        const cp = await log.checkpointAt(p.treeSize);
        return {
          leafIndex: p.leafIndex,
          treeSize: p.treeSize,
          inclusionPath: p.inclusionPath.map((h) => h.toString('base64')),
          checkpoint: cp?.note ?? null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/proof/consistency',
      tag: TAG,
      access: READERS,
      summary: 'Get an audit consistency proof',
      response: consistencyProofSchema,
      query: z.object({ from: int('from'), to: int('to').optional() }),
      handler: async ({ query }) => {
        const to = query.to ?? log.size;
        const proof = await log.consistencyProof(query.from, to);
        return { from: query.from, to, proof: proof.map((h) => h.toString('base64')) };
      },
    }),
  ];
}
