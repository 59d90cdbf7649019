// Configuration for admission risk scoring and approvals: weights, tier thresholds, quorum, SLAs (not code).
import { z } from 'zod';
import { ROLES } from '../identity/principal.js';

const points = z.number().min(0).max(100);
const quorumSchema = z
  .object({
    /** Every reviewer role the factors call for must approve. */
    allRoles: z.boolean().default(true),
    /** Distinct approvers needed at least (one person counts once). */
    minApprovals: z.number().int().min(1).max(10).default(1),
    /** An admin must approve too (besides the role holders). */
    admin: z.boolean().default(false),
  })
  .strict();

export const riskWeightsSchema = z
  .object({
    datasetClassification: z
      .object({
        public: points.default(0),
        internal: points.default(2),
        confidential: points.default(10),
        pii: points.default(25),
        regulated: points.default(35),
      })
      .strict()
      .prefault({}),
    /** Each declared column tagged pii/sensitive. */
    piiColumn: points.default(5),
    /** A pii/regulated/confidential dataset read without listing columns (all columns). */
    allColumns: points.default(5),
    writeAccess: points.default(10),
    sensitiveConnector: points.default(15),
    unapprovedConnector: points.default(20),
    /** Egress to a host no approved connector covers. */
    unapprovedEgress: points.default(20),
    crossRegion: points.default(15),
    modelRisk: z
      .object({ low: points.default(0), medium: points.default(5), high: points.default(15) })
      .strict()
      .prefault({}),
    environment: z
      .object({ dev: points.default(0), staging: points.default(5), prod: points.default(10) })
      .strict()
      .prefault({}),
    noBudget: points.default(5),
    dynamicCode: points.default(25),
    ambientApi: points.default(25),
    undeclaredHost: points.default(15),
    undeclaredResource: points.default(10),
    piiInText: points.default(15),
    policyWarning: points.default(5),
  })
  .strict();

export const approvalsConfigSchema = z
  .object({
    /** Lowest score of each tier (below `medium` is low). */
    tiers: z
      .object({ medium: points.default(20), high: points.default(50), critical: points.default(75) })
      .strict()
      .prefault({})
      .refine(
        (t) => t.medium <= t.high && t.high <= t.critical,
        'tier thresholds must rise: medium <= high <= critical',
      ),
    weights: riskWeightsSchema.prefault({}),
    quorum: z
      .object({
        medium: quorumSchema.prefault({ minApprovals: 1 }),
        high: quorumSchema.prefault({ minApprovals: 2 }),
        critical: quorumSchema.prefault({ minApprovals: 2, admin: true }),
      })
      .strict()
      .prefault({}),
    slaHours: z
      .object({
        medium: z.number().positive().default(4),
        high: z.number().positive().default(24),
        critical: z.number().positive().default(72),
      })
      .strict()
      .prefault({}),
    /** Reminders at these fractions of the SLA; escalation to admins at 1.0 (breach). */
    reminders: z.array(z.number().gt(0).lt(1)).default([0.5, 0.75]),
    /** Reviewer role for a request whose factors name no role (e.g. medium only because of prod + model risk). */
    fallbackRole: z.enum(ROLES).default('security'),
    /** How often the server checks SLAs, in seconds. */
    checkIntervalSeconds: z.number().int().positive().default(60),
  })
  .strict();

export type ApprovalsConfig = z.output<typeof approvalsConfigSchema>;
export type RiskWeights = z.output<typeof riskWeightsSchema>;
export type QuorumRule = z.output<typeof quorumSchema>;

export const defaultApprovalsConfig: ApprovalsConfig = approvalsConfigSchema.parse({});
