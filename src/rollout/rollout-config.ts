// The `rollout` section of the Gatehouse configuration.
import { z } from 'zod';

export const rolloutConfigSchema = z
  .object({
    /** Minutes of recent events and audit entries a forensic snapshot keeps. */
    snapshotMinutes: z.number().int().positive().max(240).default(15),
    /** Alert webhook delivery: retries after the first attempt, per-attempt timeout, first backoff. */
    webhook: z
      .object({
        retries: z.number().int().min(0).max(10).default(3),
        timeoutMs: z.number().int().positive().default(5000),
        backoffMs: z.number().int().positive().default(200),
        /** Signs alert deliveries (x-gatehouse-signature, as notify webhooks). */
        secret: z.string().min(16, 'use at least 16 characters').optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type RolloutConfig = z.output<typeof rolloutConfigSchema>;
