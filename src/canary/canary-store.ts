// Rows of canaries, their verdicts and live-stage samples (portable SQL for SQLite and PostgreSQL).
import type { SqlDb } from '../store/sql-db.js';
import type { Analysis, Verdict } from './analysis.js';
import type { CanaryPolicy } from './canary-policy.js';
import type { RunSample } from './run-sample.js';

export type CanaryState = 'running' | 'paused' | 'promoted' | 'aborted';

export interface CanaryRecord {
  id: string;
  app: string;
  candidate: number;
  baseline: number;
  state: CanaryState;
  stage: number;
  stageStartedAt: number;
  policy: CanaryPolicy;
  actor: string;
  startedAt: number;
  endedAt?: number;
  endReason?: string;
  snapshotId?: string;
}

export interface StoredVerdict {
  id: string;
  canaryId: string;
  stage: number;
  verdict: Verdict;
  analysis: Analysis;
  decidedAt: number;
}

interface Row {
  id: string;
  app: string;
  candidate: number;
  baseline: number;
  state: string;
  stage: number;
  stage_started_at: number | string;
  policy: string;
  actor: string;
  started_at: number | string;
  ended_at: number | string | null;
  end_reason: string | null;
  snapshot_id: string | null;
}

function fromRow(r: Row): CanaryRecord {
  return {
    id: r.id,
    app: r.app,
    candidate: Number(r.candidate),
    baseline: Number(r.baseline),
    state: r.state as CanaryState,
    stage: Number(r.stage),
    stageStartedAt: Number(r.stage_started_at),
    policy: JSON.parse(r.policy) as CanaryPolicy,
    actor: r.actor,
    startedAt: Number(r.started_at),
    ...(r.ended_at !== null ? { endedAt: Number(r.ended_at) } : {}),
    ...(r.end_reason !== null ? { endReason: r.end_reason } : {}),
    ...(r.snapshot_id !== null ? { snapshotId: r.snapshot_id } : {}),
  };
}

export class CanaryStore {
  constructor(private readonly db: SqlDb) {}

  async insert(c: CanaryRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO canary_releases (id, app, candidate, baseline, state, stage, stage_started_at, policy, actor, started_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        c.id,
        c.app,
        c.candidate,
        c.baseline,
        c.state,
        c.stage,
        c.stageStartedAt,
        JSON.stringify(c.policy),
        c.actor,
        c.startedAt,
      ],
    );
  }

  async update(c: CanaryRecord): Promise<void> {
    await this.db.run(
      'UPDATE canary_releases SET state = ?, stage = ?, stage_started_at = ?, ended_at = ?, end_reason = ?, snapshot_id = ? WHERE id = ?',
      [c.state, c.stage, c.stageStartedAt, c.endedAt ?? null, c.endReason ?? null, c.snapshotId ?? null, c.id],
    );
  }

  async latest(app: string): Promise<CanaryRecord | undefined> {
    const r = await this.db.get<Row>(
      'SELECT * FROM canary_releases WHERE app = ? ORDER BY started_at DESC, id DESC LIMIT 1',
      [app],
    );
    return r ? fromRow(r) : undefined;
  }

  /** The app's canary that is running or paused (at most one). */
  async active(app: string): Promise<CanaryRecord | undefined> {
    const r = await this.db.get<Row>(
      "SELECT * FROM canary_releases WHERE app = ? AND state IN ('running', 'paused') ORDER BY started_at DESC LIMIT 1",
      [app],
    );
    return r ? fromRow(r) : undefined;
  }

  async running(): Promise<CanaryRecord[]> {
    return (await this.db.all<Row>("SELECT * FROM canary_releases WHERE state = 'running'", [])).map(fromRow);
  }

  async addVerdict(v: StoredVerdict): Promise<void> {
    await this.db.run(
      'INSERT INTO canary_verdicts (id, canary_id, stage, verdict, analysis, decided_at) VALUES (?, ?, ?, ?, ?, ?)',
      [v.id, v.canaryId, v.stage, v.verdict, JSON.stringify(v.analysis), v.decidedAt],
    );
  }

  async verdicts(canaryId: string): Promise<StoredVerdict[]> {
    const rows = await this.db.all<{
      id: string;
      canary_id: string;
      stage: number;
      verdict: string;
      analysis: string;
      decided_at: number | string;
    }>('SELECT * FROM canary_verdicts WHERE canary_id = ? ORDER BY decided_at, id', [canaryId]);
    return rows.map((r) => ({
      id: r.id,
      canaryId: r.canary_id,
      stage: Number(r.stage),
      verdict: r.verdict as Verdict,
      analysis: JSON.parse(r.analysis) as Analysis,
      decidedAt: Number(r.decided_at),
    }));
  }

  async samples(canaryId: string, stage: number): Promise<{ baseline: RunSample[]; candidate: RunSample[] }> {
    const rows = await this.db.all<{ arm: string; sample: string }>(
      'SELECT arm, sample FROM canary_samples WHERE canary_id = ? AND stage = ? ORDER BY id',
      [canaryId, stage],
    );
    const out = { baseline: [] as RunSample[], candidate: [] as RunSample[] };
    for (const r of rows)
      (r.arm === 'candidate' ? out.candidate : out.baseline).push(JSON.parse(r.sample) as RunSample);
    return out;
  }
}
