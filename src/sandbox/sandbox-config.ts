// The `sandbox` section of the Gatehouse config: run ceilings, dataset row cap, egress caps, microvm provisioning.
import { z } from 'zod';

export const sandboxConfigSchema = z
  .object({
    /** Ceilings: a manifest's spec.runtime.timeoutMs / memoryMb may ask for less, never more. */
    maxTimeoutMs: z.number().int().positive().max(300_000).default(30_000),
    maxMemoryMb: z.number().int().min(16).max(4096).default(256),
    maxOutputBytes: z.number().int().positive().default(1_000_000),
    /** Row cap for ctx.data.query when no policy obligation sets a smaller one. */
    defaultRowLimit: z.number().int().positive().default(1000),
    /** Statement timeout for ctx.data.sql/query on DataSources when no policy obligation sets a smaller one. */
    defaultStatementTimeoutMs: z.number().int().positive().max(300_000).default(10_000),
    /** Largest response body ctx.http.fetch returns. */
    maxResponseBytes: z.number().int().positive().default(1_000_000),
    /** Sensitive data in an outbound body: refuse the call or mask it (URLs and headers are always refused). */
    bodyDlp: z.enum(['block', 'redact']).default('block'),
    /** DLP on ctx.data.query rows before the app sees them: mask findings, or pass rows through unchanged. */
    rowDlp: z.enum(['redact', 'off']).default('redact'),
    /** Where the compiled seccomp filter is cached (default: <tmpdir>/gatehouse-sandbox). */
    cacheDir: z.string().optional(),
    /** wasm tier worker pool: workers kept warm (QuickJS loaded) and the most guests running at once (more queue). */
    wasmWorkers: z
      .object({ min: z.number().int().min(0).max(64).default(2), max: z.number().int().min(1).max(256).default(8) })
      .strict()
      .prefault({}),
    microvm: z.object({ kernelPath: z.string().optional(), rootfsPath: z.string().optional() }).strict().prefault({}),
  })
  .strict();

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
