// Response shapes of the policy and decision routes (RevisionInfo, StoredRevision, Activation, ApplyResult, Decision,
// LoggedDecision, SimulationReport) as zod schemas, for the OpenAPI document and the response-conformance test.
import { z } from 'zod';

export const revisionInfoSchema = z.object({
  revision: z.string(),
  hash: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
  policyCount: z.number().int(),
  policies: z.array(z.string()),
  active: z.boolean(),
});

export const policyListSchema = z.object({
  active: z.string().nullable(),
  policies: z.number().int(),
  revisions: z.array(revisionInfoSchema),
});

export const storedRevisionSchema = revisionInfoSchema.extend({
  files: z.array(z.object({ path: z.string(), content: z.string() })),
});

export const activationSchema = z.object({
  id: z.number().int(),
  revision: z.string(),
  previous: z.string().nullable(),
  activatedAt: z.number(),
  activatedBy: z.string(),
});

export const applyResultSchema = z.object({
  revision: z.string(),
  policies: z.number().int(),
  tests: z.number().int(),
  activated: z.boolean(),
  previous: z.string().nullable(),
});

/** Decision (core/governance.ts); obligations, matched policies and the refusal are open objects here. */
export const decisionSchema = z.object({
  id: z.string(),
  time: z.number(),
  effect: z.enum(['allow', 'deny', 'require_approval']),
  obligations: z.object({}).loose(),
  warnings: z.array(z.string()),
  matched: z.array(z.object({}).loose()),
  bundleRevision: z.string(),
  reason: z.string(),
  errors: z.array(z.string()),
  refusal: z
    .object({ step: z.enum(['identify', 'gate', 'policy', 'enforce']), code: z.string() })
    .loose()
    .optional(),
});

export const loggedDecisionSchema = decisionSchema.extend({
  app: z.string().nullable(),
  appVersion: z.number().int().nullable(),
  action: z.string(),
  subject: z.string(),
  resource: z.object({ type: z.string(), id: z.string() }),
  traceId: z.string().nullable(),
  input: z.object({}).loose().describe('the GovernanceRequest, sensitive fields masked'),
});

export const simulationReportSchema = z.object({
  candidateRevision: z.string(),
  activeRevision: z.string(),
  since: z.number(),
  replayed: z.number().int(),
  skipped: z.number().int(),
  changed: z.number().int(),
  effectChanged: z.number().int(),
  appsChanged: z.number().int().describe('apps with at least one change; byApp may list fewer (maxApps)'),
  byApp: z.array(z.object({ app: z.string(), changed: z.number().int(), policies: z.record(z.string(), z.number()) })),
  byPolicy: z.array(z.object({ policy: z.string(), changed: z.number().int() })),
  transitions: z
    .array(z.object({ from: z.string(), to: z.string(), count: z.number().int() }))
    .describe('effect changes counted by recorded and simulated effect'),
  changes: z.array(z.object({}).loose()).describe('the first changes (500 unless maxChanges), newest first'),
});
