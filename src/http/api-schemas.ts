// Response shapes the server itself owns (every error body, /healthz, the OpenAPI document), as zod schemas the
// OpenAPI document is generated from.
import { z } from 'zod';

/** Every 4xx/5xx body: GatehouseError.toJSON(). */
export const errorBodySchema = z.object({
  error: z
    .object({
      code: z.string().describe('stable machine-readable code'),
      message: z.string().describe('what went wrong and what to do about it'),
      details: z.array(z.object({ path: z.string().optional(), message: z.string() })).optional(),
    })
    .loose(),
});

export const healthzSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  problems: z.array(z.object({ component: z.string(), problem: z.string(), since: z.string() })),
  version: z.string(),
});

export const openApiDocumentSchema = z
  .object({ openapi: z.string(), info: z.object({}).loose(), paths: z.object({}).loose() })
  .loose();
