// Response shapes of the rollout routes (KillRecord, CapRecord, Flag, RollbackRecord, Snapshot) as zod schemas, for the
// OpenAPI document and the response-conformance test.
import { z } from 'zod';
import { SCOPES } from './scopes.js';

const scope = z.enum(SCOPES);

export const killRecordSchema = z.object({
  id: z.string(),
  scope,
  target: z.string(),
  reason: z.string(),
  actor: z.string(),
  source: z.string().describe('manual or alert:<rule>'),
  setAt: z.number(),
  snapshotId: z.string().optional(),
  liftApprovals: z.array(z.object({ actor: z.string(), at: z.number(), reason: z.string() })),
});

export const killResponseSchema = z.object({
  kill: killRecordSchema,
  created: z.boolean(),
  snapshotId: z.string().optional(),
});

export const liftResponseSchema = z.object({
  lifted: z.boolean(),
  kill: killRecordSchema,
  approvals: z.array(z.string()),
  needed: z.number().int(),
});

export const capRecordSchema = z.object({
  id: z.string(),
  scope,
  target: z.string(),
  limits: z.record(z.string(), z.number()),
  fallback: z.boolean(),
  reason: z.string(),
  actor: z.string(),
  setAt: z.number(),
  expiresAt: z.number(),
});

export const flagSchema = z.object({
  app: z.string(),
  environment: z.string(),
  enabled: z.boolean(),
  percentage: z.number(),
  groups: z.array(z.string()),
  updatedBy: z.string(),
  updatedAt: z.number(),
});

export const rollbackRecordSchema = z.object({
  id: z.string(),
  app: z.string(),
  fromVersion: z.number().int(),
  toVersion: z.number().int(),
  actor: z.string(),
  cause: z.string(),
  reason: z.string(),
  at: z.number(),
  snapshotId: z.string(),
});

export const snapshotSummarySchema = z.object({
  id: z.string(),
  app: z.string(),
  takenAt: z.number(),
  reason: z.string(),
  hash: z.string(),
  auditIndex: z.number().int().nullable(),
});

export const snapshotSchema = snapshotSummarySchema.extend({ body: z.record(z.string(), z.unknown()) });
