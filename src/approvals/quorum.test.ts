// Quorum: reviewer slots from factors, one person counts once, named owner slots, admin slots for critical.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApprovalVote, RiskAssessment } from '../admission/admission-types.js';
import type { Principal } from '../identity/principal.js';
import { approvalsConfigSchema, defaultApprovalsConfig } from './approvals-config.js';
import { countApproval, quorumMet, requirementsFor } from './quorum.js';

const who = (user: string, ...roles: Principal['roles']): Principal => ({ user, roles, groups: [] });
const risk = (tier: RiskAssessment['tier'], factors: RiskAssessment['factors']): RiskAssessment => ({
  score: 0,
  tier,
  factors,
});
const f = (id: string, roles: RiskAssessment['factors'][0]['roles'], owner?: string) => ({
  id,
  points: 10,
  reason: id,
  fix: id,
  roles,
  ...(owner ? { owner } : {}),
});
const vote = (reviewer: string, counted: string): ApprovalVote => ({ reviewer, vote: 'approve', counted, at: 0 });

describe('requirementsFor', () => {
  it('makes one slot per dataset owner and per role, plus admin for critical', () => {
    const r = requirementsFor(
      risk('critical', [
        f('dataset.pii:a', ['data_owner'], 'dora'),
        f('dataset.pii:b', ['data_owner'], 'otto'),
        f('egress', ['security']),
        f('conn', ['security']),
      ]),
      defaultApprovalsConfig,
    );
    assert.deepEqual(
      r.requirements.map((q) => q.key),
      ['data_owner:dora', 'data_owner:otto', 'security', 'admin'],
    );
    assert.equal(r.requirements[2].reason, 'egress; conn');
  });

  it('falls back to the configured role when no factor names one', () => {
    const cfg = approvalsConfigSchema.parse({ fallbackRole: 'legal' });
    assert.deepEqual(
      requirementsFor(risk('medium', [f('environment:prod', [])]), cfg).requirements.map((q) => q.key),
      ['legal'],
    );
  });
});

describe('countApproval and quorumMet', () => {
  const reqs = requirementsFor(
    risk('high', [f('dataset.pii:a', ['data_owner'], 'dora'), f('egress', ['security'])]),
    defaultApprovalsConfig,
  ).requirements;
  const high = defaultApprovalsConfig.quorum.high;

  it('fills only the slots a reviewer matches; a named owner slot takes only that owner', () => {
    assert.deepEqual(countApproval(who('otto', 'data_owner'), reqs, []), {
      kind: 'not_eligible',
      reason: "User 'otto' holds none of the reviewer roles this request needs: dora (owner, data_owner), security.",
    });
    assert.deepEqual(countApproval(who('dora', 'data_owner'), reqs, []), {
      kind: 'counted',
      counted: 'data_owner:dora',
    });
    assert.deepEqual(countApproval(who('sam', 'security'), reqs, [vote('dora', 'data_owner:dora')]), {
      kind: 'counted',
      counted: 'security',
    });
  });

  it('a second security reviewer counts as an extra approver, not a second slot', () => {
    assert.deepEqual(countApproval(who('sue', 'security'), reqs, [vote('sam', 'security')]), {
      kind: 'counted',
      counted: 'extra:sue',
    });
  });

  it('needs every slot and enough distinct approvers', () => {
    assert.equal(quorumMet(reqs, [vote('dora', 'data_owner:dora')], high), false);
    assert.equal(quorumMet(reqs, [vote('dora', 'data_owner:dora'), vote('sam', 'security')], high), true);
    assert.equal(
      quorumMet(reqs, [vote('sam', 'security'), vote('sue', 'extra:sue')], high),
      false,
      'two approvers but the owner slot is open',
    );
    const any = { allRoles: false, minApprovals: 1, admin: false };
    assert.equal(quorumMet(reqs, [vote('sam', 'security')], any), true);
  });

  it('critical: admins take the admin slot first, and the admin slot is required', () => {
    const crit = requirementsFor(risk('critical', [f('egress', ['security'])]), defaultApprovalsConfig);
    assert.deepEqual(countApproval(who('ada', 'admin'), crit.requirements, []), { kind: 'counted', counted: 'admin' });
    assert.equal(quorumMet(crit.requirements, [vote('sam', 'security'), vote('sue', 'extra:sue')], crit.quorum), false);
    assert.equal(quorumMet(crit.requirements, [vote('sam', 'security'), vote('ada', 'admin')], crit.quorum), true);
  });
});
