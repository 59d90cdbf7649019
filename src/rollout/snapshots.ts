// Forensic snapshots taken before a kill or rollback: manifest in force, policy bundle revision, flags, kills,
// caps, the app's recent events and audit entries (decisions included), and the latest audit checkpoint with
// inclusion proofs. Stored with its content hash, which goes into the audit log.
import type { z } from 'zod';
import type { snapshotSummarySchema } from './rollout-api-schemas.js';
import type { AppReader } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { contentHash } from '../core/hash.js';
import { newId } from '../core/ids.js';
import type { AuditSink, TelemetryEvent } from '../core/sinks.js';
import type { SqlDb } from '../store/sql-db.js';

/** The parts of the audit log a snapshot reads (the AuditLog class satisfies it). */
export interface AuditEvidenceSource {
  latestCheckpoint(): Promise<{ size: number; root: Buffer; note: string; time: number } | undefined>;
  entries(f: {
    app?: string;
    sinceMs?: number;
    limit: number;
  }): Promise<{ index: number; type: string; time: number; leaf: Buffer }[]>;
  inclusionProof(
    index: number,
    size?: number,
  ): Promise<{ leafIndex: number; treeSize: number; inclusionPath: Buffer[] }>;
}

export interface SnapshotSources {
  apps?: Pick<AppReader, 'inForce' | 'latestVersion'>;
  bundleRevision?: () => string | undefined;
  /** In-memory rollout state (flags, kills, caps) for the app, read synchronously before the action. */
  rolloutState: (app: string) => Record<string, unknown>;
  recentEvents: (app: string, sinceMs: number) => TelemetryEvent[];
  /** The app's policy decisions since `sinceMs` (the decision log). */
  recentDecisions?: (app: string, sinceMs: number) => Promise<unknown[]>;
  evidence?: AuditEvidenceSource;
}

export type SnapshotSummary = z.output<typeof snapshotSummarySchema>;

export interface Snapshot extends SnapshotSummary {
  body: Record<string, unknown>;
}

interface Row {
  id: string;
  app: string;
  taken_at: number;
  reason: string;
  hash: string;
  audit_index: number | null;
  body: string;
}
const summary = (r: Row): SnapshotSummary => ({
  id: r.id,
  app: r.app,
  takenAt: Number(r.taken_at),
  reason: r.reason,
  hash: r.hash,
  auditIndex: r.audit_index === null ? null : Number(r.audit_index),
});

export class ForensicSnapshots {
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      db: SqlDb;
      audit: AuditSink;
      sources: SnapshotSources;
      clock?: Clock;
      windowMs?: number;
      maxAuditEntries?: number;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Captures the in-memory evidence now (synchronously, before the caller acts) and returns a finisher that
   * reads the stored parts, hashes, stores and audits the snapshot. Stored parts do not change by the action.
   */
  begin(app: string, reason: string, actor: string): { id: string; finish: () => Promise<SnapshotSummary> } {
    const takenAt = this.clock.now();
    const id = newId('snp', takenAt);
    const windowMs = this.deps.windowMs ?? 15 * 60_000;
    const s = this.deps.sources;
    const early = {
      rollout: s.rolloutState(app),
      events: s.recentEvents(app, takenAt - windowMs),
      bundleRevision: s.bundleRevision?.() ?? null,
    };
    return { id, finish: () => this.finish(id, app, reason, actor, takenAt, windowMs, early) };
  }

  async take(app: string, reason: string, actor: string): Promise<SnapshotSummary> {
    return this.begin(app, reason, actor).finish();
  }

  private async finish(
    id: string,
    app: string,
    reason: string,
    actor: string,
    takenAt: number,
    windowMs: number,
    early: Record<string, unknown>,
  ): Promise<SnapshotSummary> {
    const s = this.deps.sources;
    const v = (await s.apps?.inForce(app)) ?? (await s.apps?.latestVersion(app));
    const manifest = v ? { version: v.version, hash: v.hash, state: v.state, manifest: v.manifest } : null;
    let audit: Record<string, unknown> = { available: false };
    if (s.evidence) {
      const cp = await s.evidence.latestCheckpoint();
      const entries = await s.evidence.entries({
        app,
        sinceMs: takenAt - windowMs,
        limit: this.deps.maxAuditEntries ?? 500,
      });
      const proofs = [];
      for (const e of entries) {
        if (cp && e.index < cp.size) {
          const p = await s.evidence.inclusionProof(e.index, cp.size);
          proofs.push({
            index: e.index,
            treeSize: p.treeSize,
            inclusionPath: p.inclusionPath.map((h) => h.toString('hex')),
          });
        }
      }
      audit = {
        available: true,
        checkpoint: cp ? { size: cp.size, root: cp.root.toString('hex'), note: cp.note, time: cp.time } : null,
        entries: entries.map((e) => ({ index: e.index, type: e.type, time: e.time, entry: parseLeaf(e.leaf) })),
        proofs,
      };
    }
    const decisions = (await s.recentDecisions?.(app, takenAt - windowMs)) ?? null;
    const body = { id, app, takenAt, reason, actor, windowMs, manifest, ...early, decisions, audit };
    const hash = contentHash(body);
    await this.deps.db.run(
      'INSERT INTO rollout_snapshots (id, app, taken_at, reason, hash, audit_index, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, app, takenAt, reason, hash, null, JSON.stringify(body)],
    );
    const { index } = await this.deps.audit.append({
      type: 'snapshot.taken',
      actor,
      app,
      appVersion: v?.version,
      ids: { snapshotId: id },
      data: { snapshotId: id, hash, reason },
    });
    await this.deps.db.run('UPDATE rollout_snapshots SET audit_index = ? WHERE id = ?', [index, id]);
    return { id, app, takenAt, reason, hash, auditIndex: index };
  }

  async list(app?: string, limit = 100): Promise<SnapshotSummary[]> {
    const rows = app
      ? await this.deps.db.all<Row>('SELECT * FROM rollout_snapshots WHERE app = ? ORDER BY taken_at DESC LIMIT ?', [
          app,
          limit,
        ])
      : await this.deps.db.all<Row>('SELECT * FROM rollout_snapshots ORDER BY taken_at DESC LIMIT ?', [limit]);
    return rows.map(summary);
  }

  /** The stored snapshot; `verified` says whether its body still hashes to the hash recorded in the audit log. */
  async get(id: string): Promise<Snapshot & { verified: boolean }> {
    const r = await this.deps.db.get<Row>('SELECT * FROM rollout_snapshots WHERE id = ?', [id]);
    if (!r) throw new NotFoundError('Snapshot', id, 'see `gatehouse snapshot list`');
    const body = JSON.parse(r.body) as Record<string, unknown>;
    return { ...summary(r), body, verified: contentHash(body) === r.hash };
  }
}

function parseLeaf(leaf: Buffer): unknown {
  try {
    return JSON.parse(leaf.toString('utf8')) as unknown;
  } catch {
    return { raw: leaf.toString('base64') };
  }
}
