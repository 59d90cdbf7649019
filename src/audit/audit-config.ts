// The `audit:` section of gatehouse.yaml: checkpoint origin, witness file, group-commit batch size, re-check interval.
import { z } from 'zod';

export const auditConfigSchema = z
  .object({
    /** Checkpoint origin line and signing key name (no spaces or '+'); keep it stable, verifiers pin it. */
    origin: z
      .string()
      .regex(/^[^\s+]+$/, 'must be one word without spaces or +, e.g. gatehouse.example.com/audit')
      .default('gatehouse/audit'),
    /** Append each checkpoint as a JSON line to this file (relative: inside GATEHOUSE_HOME); off when absent. */
    witnessFile: z.string().min(1).optional(),
    /** POST each checkpoint (text/plain signed note) to this http(s) URL, in order; off when absent. */
    witnessUrl: z
      .string()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .optional(),
    /** Most entries committed (and covered by one signed checkpoint) per transaction. */
    maxBatch: z.number().int().min(1).max(100_000).default(5000),
    /**
     * Re-check every stored entry against the tree the server holds this often, in ms (default 10 minutes; 0: only
     * when the log opens). A byte flip or a swap anywhere in the log stops appends at the next re-check.
     */
    scrubIntervalMs: z.number().int().min(0).default(600_000),
  })
  .strict();

export type AuditConfigSection = z.output<typeof auditConfigSchema>;
