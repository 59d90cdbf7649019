// The admission hook contract: what the apps service calls after storing a version, and what it gets back.
import type { AppVersion, LifecycleState } from '../apps/manifest-schema.js';
import type { Principal, Role } from '../identity/principal.js';

export const RISK_TIERS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

/** One itemized contribution to the risk score, written for a non-developer. */
export interface RiskFactor {
  /** Stable id, e.g. `dataset.pii:customers`, `egress.unapproved:api.example.com`. */
  id: string;
  points: number;
  /** Why this adds risk, in plain words. */
  reason: string;
  /** What to change to lower it, with the points it would save. */
  fix: string;
  /** Reviewer roles this factor calls for (data_owner, security, legal). */
  roles: Role[];
  /** For data_owner: the catalog user who owns the dataset and must sign off. */
  owner?: string;
}

export interface RiskAssessment {
  /** 0-100. */
  score: number;
  tier: RiskTier;
  factors: RiskFactor[];
}

export type FindingCheck = 'policy' | 'static' | 'pii' | 'catalog';

/** A problem found by an automated check, with where it is and how to fix it. */
export interface Finding {
  check: FindingCheck;
  /** Rule id: dynamic-code, ambient-api, undeclared-host, undeclared-model, undeclared-dataset, pii-in-prompt ... */
  rule: string;
  severity: 'info' | 'warning' | 'error';
  /** Code file or `manifest`. */
  file?: string;
  line?: number;
  /** Field path inside the manifest, e.g. `spec.prompts[0].template`. */
  path?: string;
  message: string;
  fix: string;
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'superseded';

/** One reviewer slot: a role, optionally a named user (a dataset's owner). */
export interface Requirement {
  key: string;
  role: Role;
  user?: string;
  reason: string;
  /** Reviewer who filled it, once approved. */
  filledBy?: string;
}

export interface ApprovalVote {
  reviewer: string;
  vote: 'approve' | 'reject';
  /** Requirement key this approval counted for (one person counts once). */
  counted?: string;
  comment?: string;
  at: number;
}

export interface ApprovalSummary {
  id: string;
  app: string;
  version: number;
  state: ApprovalState;
  /** True for the system approval of a low-risk version. */
  auto: boolean;
  tier: RiskTier;
  score: number;
  submittedBy: string;
  /** Roles still (or originally, once decided) required, de-duplicated. */
  requiredRoles: Role[];
  requirements: Requirement[];
  /** How many distinct approvers the tier's quorum needs. */
  minApprovals: number;
  votes: ApprovalVote[];
  createdAt: number;
  /** SLA deadline (epoch ms) for pending requests. */
  dueAt?: number;
  escalated: boolean;
  decidedAt?: number;
  decidedBy?: string;
  /** The reviewer's comment on a rejection (shown to the creator). */
  comment?: string;
}

export interface AdmissionResult {
  app: string;
  version: number;
  risk: RiskAssessment;
  findings: Finding[];
  /** The admission policy decision (govern() with action app.submit). */
  decision: { id: string; effect: 'allow' | 'deny' | 'require_approval'; reason: string; warnings: string[] };
  approval: ApprovalSummary;
  /** The version's lifecycle state after admission: approved, pending_approval or rejected. */
  state: LifecycleState;
}

/** Injected into the apps service: called once a version is stored (state draft). Never half-applies. */
export interface AdmissionHook {
  admit(version: AppVersion, submitter: Principal): Promise<AdmissionResult>;
}
