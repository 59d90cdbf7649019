// The `policy:` section of gatehouse.yaml: condition cost bounds and decision-log batching and masking.
import { z } from 'zod';
import { DEFAULT_COST_LIMITS } from './cel-env.js';
import { DEFAULT_MASKED_FIELDS } from './decision-log.js';

export const policyConfigSchema = z
  .object({
    /** Static bounds on every CEL condition, checked at load time. */
    limits: z
      .object({
        maxAstNodes: z.number().int().min(10).max(10_000).default(DEFAULT_COST_LIMITS.maxAstNodes),
        maxDepth: z.number().int().min(4).max(200).default(DEFAULT_COST_LIMITS.maxDepth),
        maxComprehensionNesting: z.number().int().min(0).max(5).default(DEFAULT_COST_LIMITS.maxComprehensionNesting),
      })
      .strict()
      .prefault({}),
    decisionLog: z
      .object({
        flushIntervalMs: z.number().int().min(10).max(60_000).default(200),
        batchSize: z.number().int().min(1).max(10_000).default(200),
        /** Request field names whose values are stored as [masked]; replaces the default list. */
        maskedFields: z.array(z.string().min(1)).default([...DEFAULT_MASKED_FIELDS]),
      })
      .strict()
      .prefault({}),
    /** Apply examples/policies when no revision is active yet (first start). */
    seedExamples: z.boolean().default(true),
  })
  .strict();

export type PolicyConfig = z.output<typeof policyConfigSchema>;
