// Who must approve and when enough have: requirements from risk factors, and vote counting with separation of duties.
import type { Principal, Role } from '../identity/principal.js';
import type { ApprovalVote, Requirement, RiskAssessment, RiskTier } from '../admission/admission-types.js';
import type { ApprovalsConfig, QuorumRule } from './approvals-config.js';

/** Reviewer slots for a tier: one per role the factors name (one per dataset owner), plus an admin if the quorum says so. */
export function requirementsFor(
  risk: RiskAssessment,
  cfg: ApprovalsConfig,
): { requirements: Requirement[]; quorum: QuorumRule } {
  const tier = risk.tier as Exclude<RiskTier, 'low'>;
  const quorum = cfg.quorum[tier];
  const byKey = new Map<string, Requirement>();
  for (const f of risk.factors) {
    for (const role of f.roles) {
      const user = role === 'data_owner' ? f.owner : undefined;
      const key = user ? `data_owner:${user}` : role;
      const prev = byKey.get(key);
      if (prev) prev.reason = prev.reason.includes(f.id) ? prev.reason : `${prev.reason}; ${f.id}`;
      else byKey.set(key, { key, role, ...(user ? { user } : {}), reason: f.id });
    }
  }
  if (byKey.size === 0)
    byKey.set(cfg.fallbackRole, { key: cfg.fallbackRole, role: cfg.fallbackRole, reason: `${tier} risk` });
  if (quorum.admin && !byKey.has('admin'))
    byKey.set('admin', { key: 'admin', role: 'admin', reason: `${tier} risk needs an admin too` });
  return { requirements: [...byKey.values()], quorum };
}

/** Can this reviewer fill the slot? Named slots (a dataset's owner) take that user; admins may stand in for any slot. */
export function canFill(p: Principal, r: Requirement): boolean {
  if (p.roles.includes('admin')) return true;
  if (r.user) return p.user === r.user;
  return p.roles.includes(r.role as Role);
}

export type VoteOutcome = { kind: 'counted'; counted: string } | { kind: 'not_eligible'; reason: string };

/**
 * Decides what a reviewer's approval counts for, given the slots already filled. One person counts once:
 * a reviewer fills at most one slot; once all slots are filled, further eligible reviewers count as extra
 * approvers toward `minApprovals`.
 */
export function countApproval(
  p: Principal,
  requirements: readonly Requirement[],
  votes: readonly ApprovalVote[],
): VoteOutcome {
  const filled = new Set(votes.filter((v) => v.vote === 'approve' && v.counted).map((v) => v.counted!));
  const open = requirements.filter((r) => !filled.has(r.key));
  // Admins take the admin slot first and stand in for named owners last; others fill what they match.
  const isAdmin = p.roles.includes('admin');
  const rank = (r: Requirement) => (r.role === 'admin' ? 0 : r.user ? (isAdmin ? 2 : 0) : 1);
  const mine = open.filter((r) => canFill(p, r)).sort((a, b) => rank(a) - rank(b));
  if (mine.length) return { kind: 'counted', counted: mine[0].key };
  if (requirements.some((r) => canFill(p, r))) return { kind: 'counted', counted: `extra:${p.user}` };
  const need = requirements.map((r) => (r.user ? `${r.user} (owner, ${r.role})` : r.role)).join(', ');
  return {
    kind: 'not_eligible',
    reason: `User '${p.user}' holds none of the reviewer roles this request needs: ${need}.`,
  };
}

/** True once the quorum is met: every slot filled (or one, when allRoles is off) and enough distinct approvers. */
export function quorumMet(
  requirements: readonly Requirement[],
  votes: readonly ApprovalVote[],
  quorum: QuorumRule,
): boolean {
  const approvers = new Set(votes.filter((v) => v.vote === 'approve').map((v) => v.reviewer));
  const filled = new Set(votes.filter((v) => v.vote === 'approve' && v.counted).map((v) => v.counted!));
  const slots = quorum.allRoles
    ? requirements.every((r) => filled.has(r.key))
    : requirements.some((r) => filled.has(r.key));
  const adminOk = !quorum.admin || filled.has('admin');
  return slots && adminOk && approvers.size >= quorum.minApprovals;
}
