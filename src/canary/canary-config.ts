// The `canary` section of the Gatehouse configuration.
import { z } from 'zod';

export const canaryConfigSchema = z
  .object({
    /** How long recorded inputs stay in the replay store (a duration such as 7d). */
    replayRetention: z.string().default('7d'),
    /** Most recorded inputs kept per app (the oldest go first). */
    replayMaxPerApp: z.number().int().positive().max(100_000).default(1000),
    /** How often live stages are checked for a decision. */
    tickSeconds: z.number().int().positive().max(3600).default(30),
  })
  .strict();

export type CanaryConfig = z.output<typeof canaryConfigSchema>;
