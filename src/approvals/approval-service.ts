// Approval requests: auto-approve low risk, route the rest to reviewers with quorum and separation of duties.
import type { AppVersion, LifecycleState } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { Principal } from '../identity/principal.js';
import type { Notifier } from '../notify/webhook-notifier.js';
import type { SqlDb } from '../store/sql-db.js';
import type {
  AdmissionResult,
  ApprovalState,
  ApprovalSummary,
  Finding,
  RiskAssessment,
} from '../admission/admission-types.js';
import type { ApprovalsConfig } from './approvals-config.js';
import { ApprovalStore, type ApprovalRecord } from './approval-store.js';
import type { Lifecycle } from '../apps/lifecycle.js';
import { canFill, countApproval, quorumMet, requirementsFor } from './quorum.js';

export interface ApprovalServiceDeps {
  db: SqlDb;
  clock: Clock;
  audit: AuditSink;
  notifier: Notifier;
  lifecycle: Lifecycle;
  config: ApprovalsConfig;
  logger: Logger;
}

export interface OpenInput {
  version: AppVersion;
  submitter: Principal;
  risk: RiskAssessment;
  findings: Finding[];
  decision: AdmissionResult['decision'];
}

const HOUR = 3_600_000;

/** The public view of a record (what routes and the admission result show). */
export function summarize(r: ApprovalRecord): ApprovalSummary {
  const { appHash: _h, appOwner: _o, risk: _r, findings: _f, decision: _d, quorum: _q, remindersSent: _s, ...s } = r;
  return s;
}

export class ApprovalService {
  readonly store: ApprovalStore;

  constructor(private readonly deps: ApprovalServiceDeps) {
    this.store = new ApprovalStore(deps.db);
  }

  /** Records the outcome of admission for a stored draft version and moves it to approved, pending_approval or rejected. */
  async open(input: OpenInput): Promise<{ approval: ApprovalRecord; state: LifecycleState }> {
    const { version: v, submitter, risk, findings, decision } = input;
    const now = this.deps.clock.now();
    const id = newId('apr', now);
    const denied = decision.effect === 'deny';
    const auto = !denied && risk.tier === 'low' && decision.effect === 'allow';
    const { requirements, quorum } =
      denied || auto
        ? { requirements: [], quorum: { allRoles: true, minApprovals: 1, admin: false } }
        : requirementsFor(risk, this.deps.config);
    const state: ApprovalState = denied ? 'rejected' : auto ? 'approved' : 'pending';
    const rec: ApprovalRecord = {
      id,
      app: v.app,
      version: v.version,
      appHash: v.hash,
      submittedBy: submitter.user,
      appOwner: v.manifest.metadata.owner,
      state,
      auto: auto || denied,
      tier: risk.tier,
      score: risk.score,
      risk,
      findings,
      decision,
      requirements,
      requiredRoles: [...new Set(requirements.map((r) => r.role))],
      quorum,
      minApprovals: quorum.minApprovals,
      votes: [],
      createdAt: now,
      remindersSent: 0,
      escalated: false,
      ...(state === 'pending'
        ? { dueAt: now + this.deps.config.slaHours[risk.tier as 'medium'] * HOUR }
        : { decidedAt: now, decidedBy: 'system' }),
      ...(denied ? { comment: `Refused by admission policy: ${decision.reason}` } : {}),
    };
    await this.deps.db.transaction(async (tx) => {
      if (await this.store.forVersion(v.app, v.version, tx))
        throw new ConflictError(`App '${v.app}' version ${v.version} was already admitted.`);
      await this.store.insert(tx, rec);
    });
    const to: LifecycleState = denied ? 'rejected' : auto ? 'approved' : 'pending_approval';
    const reason = denied
      ? rec.comment!
      : auto
        ? `low risk (score ${risk.score}): auto-approved by the system`
        : `${risk.tier} risk (score ${risk.score}): needs ${rec.requiredRoles.join(', ')}`;
    try {
      await this.deps.lifecycle.transition({
        app: v.app,
        version: v.version,
        from: 'draft',
        to,
        actor: 'system',
        reason,
        ids: { approvalId: id, decisionId: decision.id },
      });
    } catch (err) {
      await this.deps.db.run('DELETE FROM approvals WHERE id = ?', [id]);
      throw err;
    }
    if (!denied) await this.supersedeOthers(v, submitter.user);
    const type = denied ? 'approval.rejected' : auto ? 'approval.granted' : 'approval.requested';
    await this.deps.audit.append({
      type,
      actor: 'system',
      app: v.app,
      appVersion: v.version,
      ids: { approvalId: id, decisionId: decision.id },
      data: {
        auto: true,
        tier: risk.tier,
        score: risk.score,
        factors: risk.factors.map((f) => ({ id: f.id, points: f.points })),
        requirements: requirements.map((r) => r.key),
        dueAt: rec.dueAt ?? null,
        submittedBy: submitter.user,
      },
    });
    if (state === 'pending') {
      this.deps.notifier.notify({
        type: 'approval.requested',
        time: now,
        text: `${v.app} v${v.version} (${risk.tier} risk, score ${risk.score}) needs review by ${rec.requirements.map((r) => r.user ?? r.role).join(', ')}; due ${new Date(rec.dueAt!).toISOString()}.`,
        data: this.eventData(rec),
      });
    }
    return { approval: rec, state: to };
  }

  private async supersedeOthers(v: AppVersion, actor: string): Promise<void> {
    for (const old of await this.store.pendingFor(this.deps.db, v.app, v.version)) {
      if (
        !(await this.store.decide(
          this.deps.db,
          old.id,
          'superseded',
          this.deps.clock.now(),
          actor,
          `superseded by version ${v.version}`,
        ))
      )
        continue;
      await this.deps.lifecycle
        .transition({
          app: v.app,
          version: old.version,
          to: 'superseded',
          actor,
          reason: `version ${v.version} was submitted while this one was pending`,
          ids: { approvalId: old.id },
        })
        .catch((err: Error) =>
          this.deps.logger.warn('supersede transition failed', {
            app: v.app,
            version: old.version,
            error: err.message,
          }),
        );
      await this.deps.audit.append({
        type: 'approval.superseded',
        actor,
        app: v.app,
        appVersion: old.version,
        ids: { approvalId: old.id },
        data: { by: v.version },
      });
    }
  }

  async require(id: string): Promise<ApprovalRecord> {
    const r = await this.store.get(id);
    if (!r) throw new NotFoundError('Approval', id, 'list them with `gatehouse approvals list`');
    return r;
  }

  private guard(r: ApprovalRecord, p: Principal): void {
    if (p.user === r.submittedBy || p.user === r.appOwner) {
      throw new ForbiddenError(
        `User '${p.user}' ${p.user === r.submittedBy ? 'submitted' : 'owns'} ${r.app} v${r.version} and may not review it (separation of duties); ask another reviewer.`,
        { approvalId: r.id },
      );
    }
  }

  private async lock(tx: Parameters<Parameters<SqlDb['transaction']>[0]>[0], id: string): Promise<ApprovalRecord> {
    if (!(await this.store.lockPending(tx, id))) {
      const r = await this.store.get(id, tx);
      if (!r) throw new NotFoundError('Approval', id, 'list them with `gatehouse approvals list`');
      throw new ConflictError(`Approval ${id} is already ${r.state}; nothing to decide.`, {
        approvalId: id,
        state: r.state,
      });
    }
    return (await this.store.get(id, tx))!;
  }

  /** A reviewer approves; the version is approved once the tier's quorum is met. */
  async approve(id: string, p: Principal, comment?: string): Promise<ApprovalSummary> {
    const now = this.deps.clock.now();
    const { rec, done, counted } = await this.deps.db.transaction(async (tx) => {
      const rec = await this.lock(tx, id);
      this.guard(rec, p);
      if (rec.votes.some((v) => v.reviewer === p.user))
        throw new ConflictError(`User '${p.user}' already approved ${id}; one person counts once.`, { approvalId: id });
      const outcome = countApproval(p, rec.requirements, rec.votes);
      if (outcome.kind === 'not_eligible') throw new ForbiddenError(outcome.reason, { approvalId: id });
      const vote = {
        reviewer: p.user,
        vote: 'approve' as const,
        counted: outcome.counted,
        ...(comment ? { comment } : {}),
        at: now,
      };
      await this.store.addVote(tx, id, vote);
      const done = quorumMet(rec.requirements, [...rec.votes, vote], rec.quorum);
      if (done) await this.store.decide(tx, id, 'approved', now, p.user, comment);
      return { rec, done, counted: outcome.counted };
    });
    await this.deps.audit.append({
      type: 'approval.vote',
      actor: p.user,
      app: rec.app,
      appVersion: rec.version,
      ids: { approvalId: id },
      data: { vote: 'approve', counted, comment: comment ?? null },
    });
    if (done) await this.finish(rec, 'approved', p.user, comment);
    return summarize(await this.require(id));
  }

  /** Any eligible reviewer's rejection rejects the version; the comment is shown to the creator. */
  async reject(id: string, p: Principal, comment: string): Promise<ApprovalSummary> {
    if (!comment?.trim())
      throw new InvalidInputError('A rejection needs a comment telling the creator what to change.', [
        { path: 'comment', message: 'required' },
      ]);
    const now = this.deps.clock.now();
    const rec = await this.deps.db.transaction(async (tx) => {
      const rec = await this.lock(tx, id);
      this.guard(rec, p);
      if (!rec.requirements.some((r) => canFill(p, r)))
        throw new ForbiddenError(
          `User '${p.user}' holds none of the reviewer roles ${id} needs: ${rec.requiredRoles.join(', ')}.`,
          { approvalId: id },
        );
      await tx.run('DELETE FROM approval_votes WHERE approval_id = ? AND reviewer = ?', [id, p.user]);
      await this.store.addVote(tx, id, { reviewer: p.user, vote: 'reject', comment, at: now });
      await this.store.decide(tx, id, 'rejected', now, p.user, comment);
      return rec;
    });
    await this.finish(rec, 'rejected', p.user, comment);
    return summarize(await this.require(id));
  }

  private async finish(
    rec: ApprovalRecord,
    outcome: 'approved' | 'rejected',
    actor: string,
    comment?: string,
  ): Promise<void> {
    const reason =
      outcome === 'approved'
        ? `approved by ${[...new Set([...rec.votes.map((v) => v.reviewer), actor])].join(', ')}${comment ? `: ${comment}` : ''}`
        : `rejected by ${actor}: ${comment}`;
    await this.deps.lifecycle
      .transition({
        app: rec.app,
        version: rec.version,
        from: 'pending_approval',
        to: outcome,
        actor,
        reason,
        ids: { approvalId: rec.id },
      })
      .catch((err: Error) =>
        this.deps.logger.error('approval decided but lifecycle transition failed', {
          approvalId: rec.id,
          error: err.message,
        }),
      );
    await this.deps.audit.append({
      type: outcome === 'approved' ? 'approval.granted' : 'approval.rejected',
      actor,
      app: rec.app,
      appVersion: rec.version,
      ids: { approvalId: rec.id },
      data: { auto: false, comment: comment ?? null, tier: rec.tier, score: rec.score },
    });
    const fresh = (await this.store.get(rec.id))!;
    this.deps.notifier.notify({
      type: 'approval.decided',
      time: this.deps.clock.now(),
      text: `${rec.app} v${rec.version} was ${outcome} by ${actor}${comment ? `: ${comment}` : ''}.`,
      data: { ...this.eventData(fresh), outcome, by: actor },
    });
  }

  eventData(r: ApprovalRecord): Record<string, unknown> {
    return {
      approvalId: r.id,
      app: r.app,
      version: r.version,
      tier: r.tier,
      score: r.score,
      state: r.state,
      submittedBy: r.submittedBy,
      requiredRoles: r.requiredRoles.join(','),
      reviewers: r.requirements.map((q) => q.user ?? q.role).join(','),
      dueAt: r.dueAt ? new Date(r.dueAt).toISOString() : undefined,
    };
  }

  /** Requests, newest first; `mine` keeps the pending ones this user could act on now. */
  async list(
    p: Principal,
    opts: { state?: ApprovalState; mine?: boolean; app?: string } = {},
  ): Promise<ApprovalSummary[]> {
    let items = await this.store.list({ state: opts.mine ? 'pending' : opts.state, app: opts.app });
    if (opts.mine) {
      items = items.filter(
        (r) =>
          p.user !== r.submittedBy &&
          p.user !== r.appOwner &&
          !r.votes.some((v) => v.reviewer === p.user) &&
          countApproval(p, r.requirements, r.votes).kind === 'counted',
      );
    }
    return items.map(summarize);
  }
}
