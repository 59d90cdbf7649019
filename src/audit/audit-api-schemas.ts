// Response shapes of the audit routes as zod schemas: the OpenAPI document, the response-conformance test and the
// EntryJson / PackedEntriesJson types all come from these.
import { z } from 'zod';

export const entryJsonSchema = z.object({
  index: z.number().int(),
  entry: z.string().describe('base64 of the exact leaf bytes (RFC 8785 canonical JSON)'),
  leafHash: z.string().describe('base64'),
  time: z.string().describe('ISO 8601'),
  event: z.unknown().describe('the parsed entry, for reading; null with raw=1 or if the stored bytes are not JSON'),
});
export type EntryJson = z.output<typeof entryJsonSchema>;

/** A page for verifiers: the leaves back to back in one base64 string, their lengths and indexes, the leaf hashes. */
export const packedEntriesSchema = z.object({
  indexes: z.array(z.number().int()),
  lengths: z.array(z.number().int()),
  leaves: z.string().describe('base64 of the leaves back to back'),
  leafHashes: z.string().describe('base64 of the 32-byte leaf hashes back to back'),
});
export type PackedEntriesJson = z.output<typeof packedEntriesSchema>;

const next = z.number().int().nullable().describe('start of the next page; null on the last page');
export const entriesPageSchema = z.union([
  z.object({ entries: z.array(entryJsonSchema), next }),
  z.object({ packed: packedEntriesSchema, next }).describe('with packed=1'),
]);

export const verifierKeySchema = z.object({
  verifierKey: z.string(),
  origin: z.string(),
  publicKey: z.string().describe('base64'),
  algorithm: z.literal('ed25519'),
});

export const latestCheckpointSchema = z.object({
  checkpoint: z.string().describe('signed note (C2SP tlog-checkpoint)'),
  size: z.number().int(),
  rootHash: z.string().describe('base64'),
  time: z.string(),
});

export const checkpointListSchema = z.object({
  checkpoints: z.array(z.object({ size: z.number().int(), checkpoint: z.string() })),
});

export const inclusionProofSchema = z.object({
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  inclusionPath: z.array(z.string().describe('base64')),
  checkpoint: z.string().nullable(),
});

export const consistencyProofSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  proof: z.array(z.string().describe('base64')),
});
