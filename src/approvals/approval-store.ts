// Persistence of approval requests and votes through the store contract (SQLite and PostgreSQL alike).
import type { SqlDb, SqlExecutor } from '../store/sql-db.js';
import type {
  ApprovalState,
  ApprovalSummary,
  ApprovalVote,
  Finding,
  Requirement,
  RiskAssessment,
  RiskTier,
} from '../admission/admission-types.js';
import type { QuorumRule } from './approvals-config.js';
import type { Role } from '../identity/principal.js';

export interface ApprovalRecord extends ApprovalSummary {
  appHash: string;
  appOwner: string;
  risk: RiskAssessment;
  findings: Finding[];
  decision: { id: string; effect: 'allow' | 'deny' | 'require_approval'; reason: string; warnings: string[] };
  quorum: QuorumRule;
  remindersSent: number;
}

interface Row {
  id: string;
  app: string;
  version: number;
  app_hash: string;
  submitted_by: string;
  app_owner: string;
  state: string;
  auto: number;
  tier: string;
  score: number;
  risk: string;
  findings: string;
  decision: string;
  requirements: string;
  quorum: string;
  created_at: number;
  due_at: number | null;
  reminders_sent: number;
  escalated_at: number | null;
  decided_at: number | null;
  decided_by: string | null;
  comment: string | null;
}
interface VoteRow {
  approval_id: string;
  reviewer: string;
  vote: string;
  counted: string | null;
  comment: string | null;
  created_at: number;
}

const num = (v: number | null): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function toVote(r: VoteRow): ApprovalVote {
  return {
    reviewer: r.reviewer,
    vote: r.vote as ApprovalVote['vote'],
    ...(r.counted ? { counted: r.counted } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    at: Number(r.created_at),
  };
}

function toRecord(r: Row, votes: ApprovalVote[]): ApprovalRecord {
  const requirements = JSON.parse(r.requirements) as Requirement[];
  for (const req of requirements) {
    const v = votes.find((x) => x.vote === 'approve' && x.counted === req.key);
    if (v) req.filledBy = v.reviewer;
  }
  return {
    id: r.id,
    app: r.app,
    version: Number(r.version),
    appHash: r.app_hash,
    submittedBy: r.submitted_by,
    appOwner: r.app_owner,
    state: r.state as ApprovalState,
    auto: Number(r.auto) === 1,
    tier: r.tier as RiskTier,
    score: Number(r.score),
    risk: JSON.parse(r.risk) as RiskAssessment,
    findings: JSON.parse(r.findings) as Finding[],
    decision: JSON.parse(r.decision) as ApprovalRecord['decision'],
    requirements,
    requiredRoles: [...new Set(requirements.map((q) => q.role as Role))],
    quorum: JSON.parse(r.quorum) as QuorumRule,
    minApprovals: (JSON.parse(r.quorum) as QuorumRule).minApprovals,
    votes,
    createdAt: Number(r.created_at),
    dueAt: num(r.due_at),
    remindersSent: Number(r.reminders_sent),
    escalated: r.escalated_at !== null && r.escalated_at !== undefined,
    decidedAt: num(r.decided_at),
    decidedBy: r.decided_by ?? undefined,
    comment: r.comment ?? undefined,
  };
}

export interface ListFilter {
  state?: ApprovalState;
  app?: string;
  limit?: number;
}

export class ApprovalStore {
  constructor(private readonly db: SqlDb) {}

  async insert(q: SqlExecutor, a: ApprovalRecord): Promise<void> {
    await q.run(
      `INSERT INTO approvals (id, app, version, app_hash, submitted_by, app_owner, state, auto, tier, score, risk, findings, decision, requirements, quorum, created_at, due_at, decided_at, decided_by, comment)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        a.id,
        a.app,
        a.version,
        a.appHash,
        a.submittedBy,
        a.appOwner,
        a.state,
        a.auto ? 1 : 0,
        a.tier,
        a.score,
        JSON.stringify(a.risk),
        JSON.stringify(a.findings),
        JSON.stringify(a.decision),
        JSON.stringify(a.requirements.map(({ filledBy: _f, ...r }) => r)),
        JSON.stringify(a.quorum),
        a.createdAt,
        a.dueAt ?? null,
        a.decidedAt ?? null,
        a.decidedBy ?? null,
        a.comment ?? null,
      ],
    );
  }

  private async votes(q: SqlExecutor, ids: string[]): Promise<Map<string, ApprovalVote[]>> {
    const out = new Map<string, ApprovalVote[]>();
    if (!ids.length) return out;
    const rows = await q.all<VoteRow>(
      `SELECT * FROM approval_votes WHERE approval_id IN (${ids.map(() => '?').join(', ')}) ORDER BY created_at, reviewer`,
      ids,
    );
    for (const r of rows) out.set(r.approval_id, [...(out.get(r.approval_id) ?? []), toVote(r)]);
    return out;
  }

  private async hydrate(q: SqlExecutor, rows: Row[]): Promise<ApprovalRecord[]> {
    const votes = await this.votes(
      q,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toRecord(r, votes.get(r.id) ?? []));
  }

  async get(id: string, q: SqlExecutor = this.db): Promise<ApprovalRecord | undefined> {
    const r = await q.get<Row>('SELECT * FROM approvals WHERE id = ?', [id]);
    return r ? (await this.hydrate(q, [r]))[0] : undefined;
  }

  async forVersion(app: string, version: number, q: SqlExecutor = this.db): Promise<ApprovalRecord | undefined> {
    const r = await q.get<Row>('SELECT * FROM approvals WHERE app = ? AND version = ?', [app, version]);
    return r ? (await this.hydrate(q, [r]))[0] : undefined;
  }

  async list(f: ListFilter = {}): Promise<ApprovalRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.state) {
      where.push('state = ?');
      params.push(f.state);
    }
    if (f.app) {
      where.push('app = ?');
      params.push(f.app);
    }
    const rows = await this.db.all<Row>(
      `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
      [...params, f.limit ?? 200],
    );
    return this.hydrate(this.db, rows);
  }

  /** Pending requests of `app` other than `exceptVersion` (to supersede). */
  async pendingFor(q: SqlExecutor, app: string, exceptVersion: number): Promise<ApprovalRecord[]> {
    return this.hydrate(
      q,
      await q.all<Row>("SELECT * FROM approvals WHERE app = ? AND state = 'pending' AND version <> ?", [
        app,
        exceptVersion,
      ]),
    );
  }

  /** Pending requests with a deadline at or before `before` plus all pending, for the SLA monitor. */
  async pendingWithDeadline(): Promise<ApprovalRecord[]> {
    return this.hydrate(
      this.db,
      await this.db.all<Row>("SELECT * FROM approvals WHERE state = 'pending' AND due_at IS NOT NULL ORDER BY due_at"),
    );
  }

  /** Takes the row for an update (a row lock on PostgreSQL; SQLite transactions are serialised). False unless still pending. */
  async lockPending(q: SqlExecutor, id: string): Promise<boolean> {
    return (await q.run("UPDATE approvals SET rev = rev + 1 WHERE id = ? AND state = 'pending'", [id])).changes === 1;
  }

  async addVote(q: SqlExecutor, id: string, v: ApprovalVote): Promise<void> {
    await q.run(
      'INSERT INTO approval_votes (approval_id, reviewer, vote, counted, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [id, v.reviewer, v.vote, v.counted ?? null, v.comment ?? null, v.at],
    );
  }

  async decide(
    q: SqlExecutor,
    id: string,
    state: ApprovalState,
    at: number,
    by: string,
    comment?: string,
  ): Promise<boolean> {
    return (
      (
        await q.run(
          "UPDATE approvals SET state = ?, decided_at = ?, decided_by = ?, comment = ? WHERE id = ? AND state = 'pending'",
          [state, at, by, comment ?? null, id],
        )
      ).changes === 1
    );
  }

  /** Records that reminder level `level` was sent; false if another replica got there first. */
  async markReminded(id: string, from: number, level: number, escalatedAt?: number): Promise<boolean> {
    const r = await this.db.run(
      `UPDATE approvals SET reminders_sent = ?${escalatedAt !== undefined ? ', escalated_at = ?' : ''} WHERE id = ? AND reminders_sent = ? AND state = 'pending'`,
      escalatedAt !== undefined ? [level, escalatedAt, id, from] : [level, id, from],
    );
    return r.changes === 1;
  }
}
