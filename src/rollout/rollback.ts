// Rollback: makes the last known-good version (released before, not rolled back for cause) the one in force,
// after a forensic snapshot; audited. Manual (`gatehouse app rollback`) or triggered by an alert rule.
import type { z } from 'zod';
import type { rollbackRecordSchema } from './rollout-api-schemas.js';
import type { AppReader, AppVersion, LifecycleState } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { AuditSink, LinkIds } from '../core/sinks.js';
import type { SqlDb } from '../store/sql-db.js';
import type { ForensicSnapshots } from './snapshots.js';

/** Moves a version between lifecycle states, legally and audited (src/approvals Lifecycle satisfies it). */
export interface AppTransitions {
  transition(t: {
    app: string;
    version: number;
    to: LifecycleState;
    actor: string;
    reason: string;
    ids?: LinkIds;
  }): Promise<unknown>;
}

/** States of versions released before: retired after a newer release, or still released below the newest one. */
const KNOWN_GOOD: readonly LifecycleState[] = ['retired', 'released'];

export type RollbackRecord = z.output<typeof rollbackRecordSchema>;

export class RollbackService {
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      db: SqlDb;
      apps: Pick<AppReader, 'inForce' | 'listVersions'>;
      lifecycle: AppTransitions;
      snapshots: ForensicSnapshots;
      audit: AuditSink;
      clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /** The version a rollback of `app` would make the one in force (for dry runs and errors). */
  async plan(app: string, to?: number): Promise<{ current: AppVersion; target: AppVersion }> {
    const versions = await this.deps.apps.listVersions(app);
    if (versions.length === 0) throw new NotFoundError('App', app, 'see `gatehouse app list`');
    const current = await this.deps.apps.inForce(app);
    if (!current || !['released', 'canary'].includes(current.state)) {
      throw new ConflictError(
        `App '${app}' has no released or canary version in force, so there is nothing to roll back.`,
      );
    }
    const rolledBack = new Set(
      (
        await this.deps.db.all<{ from_version: number }>('SELECT from_version FROM rollout_rollbacks WHERE app = ?', [
          app,
        ])
      ).map((r) => Number(r.from_version)),
    );
    if (to !== undefined) {
      const target = versions.find((v) => v.version === to);
      if (!target)
        throw new InvalidInputError(
          `App '${app}' has no version ${to}; versions: ${versions.map((v) => v.version).join(', ')}.`,
          [{ path: 'to', message: 'pick an existing version' }],
        );
      if (to === current.version)
        throw new InvalidInputError(`Version ${to} of '${app}' is already in force.`, [
          { path: 'to', message: 'pick another version' },
        ]);
      if (rolledBack.has(to) || !KNOWN_GOOD.includes(target.state)) {
        throw new ConflictError(
          `Version ${to} of '${app}' is ${target.state}${rolledBack.has(to) ? ' and was rolled back for cause' : ''}; only versions released before (retired, or released below the version in force) can be restored.`,
        );
      }
      return { current, target };
    }
    const target = versions
      .filter((v) => v.version < current.version && KNOWN_GOOD.includes(v.state) && !rolledBack.has(v.version))
      .sort((a, b) => b.version - a.version)[0];
    if (!target)
      throw new ConflictError(
        `App '${app}' has no known-good version before ${current.version} (one released earlier and not rolled back for cause); kill it instead with \`gatehouse kill app ${app} --reason ...\`.`,
      );
    return { current, target };
  }

  async rollback(input: {
    app: string;
    to?: number;
    actor: string;
    reason: string;
    cause?: string;
  }): Promise<RollbackRecord> {
    if (!input.reason.trim())
      throw new InvalidInputError('A rollback needs a reason.', [{ path: 'reason', message: 'say why' }]);
    const { current, target } = await this.plan(input.app, input.to);
    // The whole snapshot is taken before anything moves: it records the version in force now.
    const snap = await this.deps.snapshots.take(
      input.app,
      `before rollback of ${input.app} v${current.version}: ${input.reason}`,
      input.actor,
    );
    const id = newId('rbk', this.clock.now());
    const ids: LinkIds = { rollbackId: id, snapshotId: snap.id };
    const why = `rollback ${id}: ${input.reason}`;
    // Release the target first: until the current version leaves, it stays in force (highest released wins),
    // so a failure between the two steps never leaves the app without a version in force.
    if (target.state !== 'released')
      await this.deps.lifecycle.transition({
        app: input.app,
        version: target.version,
        to: 'released',
        actor: input.actor,
        reason: why,
        ids,
      });
    try {
      await this.deps.lifecycle.transition({
        app: input.app,
        version: current.version,
        to: 'rolled_back',
        actor: input.actor,
        reason: why,
        ids,
      });
    } catch (err) {
      if (target.state !== 'released')
        await this.deps.lifecycle
          .transition({
            app: input.app,
            version: target.version,
            to: 'retired',
            actor: input.actor,
            reason: `undo of ${why}`,
            ids,
          })
          .catch(() => {});
      throw err;
    }
    const rec: RollbackRecord = {
      id,
      app: input.app,
      fromVersion: current.version,
      toVersion: target.version,
      actor: input.actor,
      cause: input.cause ?? 'manual',
      reason: input.reason,
      at: this.clock.now(),
      snapshotId: snap.id,
    };
    await this.deps.db.run(
      'INSERT INTO rollout_rollbacks (id, app, from_version, to_version, actor, cause, reason, at, snapshot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [rec.id, rec.app, rec.fromVersion, rec.toVersion, rec.actor, rec.cause, rec.reason, rec.at, rec.snapshotId],
    );
    await this.deps.audit.append({
      type: 'app.rolled_back',
      actor: input.actor,
      app: input.app,
      appVersion: target.version,
      ids,
      data: { from: current.version, to: target.version, cause: rec.cause, reason: input.reason },
    });
    return rec;
  }

  async history(app: string): Promise<RollbackRecord[]> {
    const rows = await this.deps.db.all<{
      id: string;
      app: string;
      from_version: number;
      to_version: number;
      actor: string;
      cause: string;
      reason: string;
      at: number;
      snapshot_id: string;
    }>('SELECT * FROM rollout_rollbacks WHERE app = ? ORDER BY at DESC', [app]);
    return rows.map((r) => ({
      id: r.id,
      app: r.app,
      fromVersion: Number(r.from_version),
      toVersion: Number(r.to_version),
      actor: r.actor,
      cause: r.cause,
      reason: r.reason,
      at: Number(r.at),
      snapshotId: r.snapshot_id,
    }));
  }
}
