// Response shapes of the apps routes as zod schemas, so the OpenAPI document and the response-conformance test share
// one description of what the API answers (the TypeScript types stay in app-registry.ts, app-diff.ts, manifest-schema).
import { z } from 'zod';
import { LIFECYCLE_STATES } from './lifecycle-states.js';
import { manifestSchema } from './manifest-schema.js';
import { admissionResultSchema } from '../admission/admission-api-schemas.js';

const state = z.enum(LIFECYCLE_STATES);

/** One row of the app list (AppSummary). */
export const appSummarySchema = z.object({
  name: z.string(),
  owner: z.string(),
  latest: z.number().int(),
  state,
  inForce: z.number().int().nullable(),
  environment: z.string(),
});

/** summarizeVersion(): a version without its manifest and code. */
export const versionSummarySchema = z.object({
  app: z.string(),
  version: z.number().int(),
  hash: z.string(),
  state,
  submittedBy: z.string(),
  createdAt: z.string().describe('ISO 8601'),
});

export const submitResponseSchema = versionSummarySchema.extend({
  created: z.boolean(),
  admission: admissionResultSchema.nullable(),
});

export const appListResponseSchema = z.object({
  items: z.array(appSummarySchema),
  next: z.string().nullable().optional().describe('present when paging (limit/after/q/state); null on the last page'),
});

export const appVersionSchema = z.object({
  app: z.string(),
  version: z.number().int(),
  hash: z.string(),
  manifest: manifestSchema,
  code: z.record(z.string(), z.string()),
  state,
  submittedBy: z.string(),
  createdAt: z.number(),
});

export const appDetailSchema = z.object({
  name: z.string(),
  owner: z.string(),
  inForce: z.number().int().nullable(),
  latest: versionSummarySchema.extend({ manifest: manifestSchema, rejection: z.unknown().optional() }),
  versions: z.array(versionSummarySchema),
});

const change = z.enum(['added', 'removed', 'changed']);
export const appDiffSchema = z.object({
  app: z.string(),
  from: z.object({ version: z.number().int(), hash: z.string() }),
  to: z.object({ version: z.number().int(), hash: z.string() }),
  manifest: z.array(
    z.object({ path: z.string(), change, before: z.unknown().optional(), after: z.unknown().optional() }),
  ),
  code: z.array(z.object({ file: z.string(), change, patch: z.string() })),
});
