// Response shapes of admission and approvals (AdmissionResult, ApprovalSummary in admission-types.ts, Explanation) as
// zod schemas for the OpenAPI document and the response-conformance test.
import { z } from 'zod';
import { LIFECYCLE_STATES } from '../apps/lifecycle-states.js';

const state = z.enum(LIFECYCLE_STATES);

/** An approval request as ApprovalSummary (admission-types.ts); nested requirement/vote objects are open. */
export const approvalSummarySchema = z
  .object({
    id: z.string(),
    app: z.string(),
    version: z.number().int(),
    state: z.enum(['pending', 'approved', 'rejected', 'superseded']),
    auto: z.boolean(),
    tier: z.string(),
    score: z.number(),
    submittedBy: z.string(),
    requiredRoles: z.array(z.string()),
    requirements: z.array(z.object({}).loose()),
    minApprovals: z.number().int(),
    votes: z.array(z.object({ reviewer: z.string(), vote: z.enum(['approve', 'reject']), at: z.number() }).loose()),
    createdAt: z.number(),
    dueAt: z.number().optional(),
    escalated: z.boolean(),
    decidedAt: z.number().optional(),
    decidedBy: z.string().optional(),
    comment: z.string().optional(),
  })
  .loose();

/** AdmissionResult: risk, findings, the admission decision and the approval it opened. */
export const admissionResultSchema = z.object({
  app: z.string(),
  version: z.number().int(),
  risk: z.object({ score: z.number(), tier: z.string() }).loose(),
  findings: z.array(z.object({}).loose()),
  decision: z.object({
    id: z.string(),
    effect: z.enum(['allow', 'deny', 'require_approval']),
    reason: z.string(),
    warnings: z.array(z.string()),
  }),
  approval: approvalSummarySchema,
  state,
});

export const explanationSchema = admissionResultSchema.extend({ currentState: z.string() });

/** GET /api/v1/approvals/:id: the summary plus what the reviewers decide on. */
export const approvalDetailSchema = approvalSummarySchema.extend({
  risk: admissionResultSchema.shape.risk,
  findings: admissionResultSchema.shape.findings,
  decision: admissionResultSchema.shape.decision,
});
