// Kill switches: an in-memory O(1) gate (GateCheck) kept in step on every replica by broadcast, persisted so
// a restart keeps them, with an AbortSignal per scope that cuts in-flight streams and runs.
import type { z } from 'zod';
import type { killRecordSchema } from './rollout-api-schemas.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { ConflictError, NotFoundError, PolicyDeniedError } from '../core/errors.js';
import type { GateCheck, GateRefusal, GovernanceRequest } from '../core/governance.js';
import type { HealthReporter } from '../core/health.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { SqlDb } from '../store/sql-db.js';
import { keysOf, parseTarget, refOf, scopeKey, type Scope, type ScopeRef } from './scopes.js';

export const KILL_CHANNEL = 'gatehouse.rollout.kills';

export type KillRecord = z.output<typeof killRecordSchema>;

export interface KillDeps {
  db: SqlDb;
  coord: Coordination;
  audit: AuditSink;
  clock?: Clock;
  logger?: Logger;
  /** How many distinct approvers lifting this kill needs (2 for apps whose data is pii or regulated). */
  approversNeeded?: (scope: Scope, target: string) => Promise<number>;
  /**
   * How often the kills in force are re-read from the store (ms; 0 turns it off). Broadcasts carry changes at once;
   * this bounds how long a replica that missed one (coordination down, a restart of the broker) serves a killed scope.
   */
  reconcileMs?: number;
  /** Who manages the killed app (owner, maintainers): their approvals are recorded but never count toward a lift. */
  appManagers?: (scope: Scope, target: string) => Promise<string[]>;
  onChange?: (active: readonly KillRecord[]) => void;
  /** Where lost broadcasts and failed reconciles are reported (shown on /healthz). */
  health?: HealthReporter;
}

type Message = { op: 'set'; kill: KillRecord } | { op: 'lift'; id: string; scope: Scope; target: string };

interface Row {
  id: string;
  scope: string;
  target: string;
  reason: string;
  actor: string;
  source: string;
  set_at: number;
  snapshot_id: string | null;
  lift_approvals: string;
}

const fromRow = (r: Row): KillRecord => ({
  id: r.id,
  scope: r.scope as Scope,
  target: r.target,
  reason: r.reason,
  actor: r.actor,
  source: r.source,
  setAt: Number(r.set_at),
  snapshotId: r.snapshot_id ?? undefined,
  liftApprovals: JSON.parse(r.lift_approvals) as KillRecord['liftApprovals'],
});

export class KillSwitches implements GateCheck {
  private readonly active = new Map<string, KillRecord>();
  private readonly controllers = new Map<string, AbortController>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private reconciler: ReconcileLoop | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly deps: KillDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  /** Loads the kills in force from the store and listens for changes made on any replica. */
  async start(): Promise<void> {
    await this.reconcile();
    this.reconciler = startReconcileLoop({
      everyMs: this.deps.reconcileMs ?? 2000,
      run: () => this.reconcile(),
      component: 'kill-reconcile',
      failure: 'kill switches not reconciled from the store',
      health: this.deps.health,
      logger: this.logger,
    });
    this.unsubscribe = await this.deps.coord.subscribe(KILL_CHANNEL, (m) => {
      try {
        this.apply(JSON.parse(m) as Message);
      } catch (err) {
        this.logger.warn('ignored malformed kill broadcast', { err: String(err) });
      }
    });
  }

  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.unsubscribe?.();
  }

  /** Makes the kills in force here match the store: sets what another replica set, drops what it lifted. */
  async reconcile(): Promise<void> {
    const rows = await this.deps.db.all<Row>('SELECT * FROM rollout_kills WHERE lifted_at IS NULL ORDER BY set_at');
    const stored = rows.map(fromRow);
    const ids = new Set(stored.map((k) => k.id));
    for (const k of stored) this.apply({ op: 'set', kill: k });
    for (const k of this.list())
      if (!ids.has(k.id) && (await this.liftedInStore(k.id)))
        this.apply({ op: 'lift', id: k.id, scope: k.scope, target: k.target });
  }

  /** True only when the store says the kill was lifted (a kill set here but not yet stored stays in force). */
  private async liftedInStore(id: string): Promise<boolean> {
    const row = await this.deps.db.get<{ lifted_at: number | null }>(
      'SELECT lifted_at FROM rollout_kills WHERE id = ?',
      [id],
    );
    return row?.lifted_at !== null && row?.lifted_at !== undefined;
  }

  /** GateCheck: refuses any request that falls under a kill in force. Map lookups only. */
  check(req: GovernanceRequest): GateRefusal | null {
    return this.checkRef(refOf(req));
  }

  checkRef(ref: ScopeRef): GateRefusal | null {
    if (this.active.size === 0) return null;
    for (const key of keysOf(ref)) {
      const k = this.active.get(key);
      if (k)
        return {
          code: 'killed',
          scope: key,
          modelOnly: k.scope === 'model',
          reason: `Kill switch ${k.id} on ${k.scope} '${k.target}': ${k.reason}`,
        };
    }
    return null;
  }

  /** A signal that aborts (with the refusal as its reason) as soon as any scope of `ref` is killed. */
  signalFor(ref: ScopeRef): AbortSignal {
    const hit = this.checkRef(ref);
    if (hit) return AbortSignal.abort(new PolicyDeniedError(hit.reason, { scope: hit.scope }));
    const signals = keysOf(ref).map((key) => {
      let c = this.controllers.get(key);
      if (!c) this.controllers.set(key, (c = new AbortController()));
      return c.signal;
    });
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  }

  list(): KillRecord[] {
    return [...this.active.values()].sort((a, b) => a.setAt - b.setAt);
  }

  get(scope: Scope, target: string): KillRecord | undefined {
    return this.active.get(scopeKey(scope, target));
  }

  /** Sets a kill: enforced here at once, broadcast to every replica, then stored and audited. Idempotent per scope. */
  /** When the most recent kill switch (lifted or not) was set: `gatehouse doctor` checks the playbook is exercised. */
  async lastSetAt(): Promise<number | undefined> {
    const row = await this.deps.db.get<{ at: number | string | null }>('SELECT MAX(set_at) AS at FROM rollout_kills');
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  async kill(input: {
    scope: Scope;
    target: string;
    reason: string;
    actor: string;
    source?: string;
    snapshotId?: string;
  }): Promise<{ kill: KillRecord; created: boolean }> {
    const target = parseTarget(input.scope, input.target);
    const existing = this.get(input.scope, target);
    if (existing) return { kill: existing, created: false };
    const kill: KillRecord = {
      id: newId('kil', this.clock.now()),
      scope: input.scope,
      target,
      reason: input.reason,
      actor: input.actor,
      source: input.source ?? 'manual',
      setAt: this.clock.now(),
      snapshotId: input.snapshotId,
      liftApprovals: [],
    };
    this.apply({ op: 'set', kill }); // enforce locally before any I/O
    await this.publish({ op: 'set', kill });
    await this.deps.db.run(
      'INSERT INTO rollout_kills (id, scope, target, reason, actor, source, set_at, snapshot_id, lift_approvals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        kill.id,
        kill.scope,
        kill.target,
        kill.reason,
        kill.actor,
        kill.source,
        kill.setAt,
        kill.snapshotId ?? null,
        '[]',
      ],
    );
    await this.deps.audit.append({
      type: 'kill.set',
      actor: kill.actor,
      ...appOf(kill),
      ids: { snapshotId: kill.snapshotId },
      data: { killId: kill.id, scope: kill.scope, target, reason: kill.reason, source: kill.source },
    });
    return { kill, created: true };
  }

  /** Records one approval to lift; lifts once enough distinct approvers agreed (two for pii/regulated apps). */
  async lift(input: {
    scope: Scope;
    target: string;
    actor: string;
    reason: string;
  }): Promise<{ lifted: boolean; kill: KillRecord; approvals: string[]; needed: number }> {
    const target = parseTarget(input.scope, input.target);
    const current = this.get(input.scope, target);
    if (!current) throw new NotFoundError(`Kill switch on ${input.scope}`, target, 'see `gatehouse kill list`');
    const needed = (await this.deps.approversNeeded?.(input.scope, target)) ?? 1;
    const row = await this.deps.db.get<Row>('SELECT * FROM rollout_kills WHERE id = ?', [current.id]);
    const stored = row ? fromRow(row) : current;
    if (stored.liftApprovals.some((a) => a.actor === input.actor)) {
      throw new ConflictError(
        `${input.actor} already approved lifting kill ${current.id}; lifting it needs ${needed} distinct approvers, so another person must confirm.`,
        { needed },
      );
    }
    const approvals = [...stored.liftApprovals, { actor: input.actor, at: this.clock.now(), reason: input.reason }];
    // An app's own owner must not be able to lift a security kill on it alone.
    const managers = (await this.deps.appManagers?.(input.scope, target)) ?? [];
    const lifted = approvals.filter((a) => !managers.includes(a.actor)).length >= needed;
    const changed = await this.deps.db.run(
      'UPDATE rollout_kills SET lift_approvals = ?, lifted_at = ?, lifted_by = ? WHERE id = ? AND lift_approvals = ? AND lifted_at IS NULL',
      [
        JSON.stringify(approvals),
        lifted ? this.clock.now() : null,
        lifted ? approvals.map((a) => a.actor).join(',') : null,
        current.id,
        row?.lift_approvals ?? '[]',
      ],
    );
    if (changed.changes === 0) throw new ConflictError(`Kill ${current.id} changed while approving; retry.`);
    current.liftApprovals = approvals;
    const names = approvals.map((a) => a.actor);
    await this.deps.audit.append({
      type: lifted ? 'kill.lifted' : 'kill.lift_approved',
      actor: input.actor,
      ...appOf(current),
      data: { killId: current.id, scope: current.scope, target, reason: input.reason, approvals: names, needed },
    });
    if (lifted) {
      this.apply({ op: 'lift', id: current.id, scope: current.scope, target });
      await this.publish({ op: 'lift', id: current.id, scope: current.scope, target });
    }
    return { lifted, kill: current, approvals: names, needed };
  }

  private async publish(m: Message): Promise<void> {
    try {
      await this.deps.coord.publish(KILL_CHANNEL, JSON.stringify(m));
      this.deps.health?.report('kill-broadcast', undefined);
    } catch (err) {
      // This replica already enforces; the others pick the change up at their next reconcile from the store.
      this.logger.error('kill broadcast failed', { err: String(err) });
      this.deps.health?.report(
        'kill-broadcast',
        `a kill switch change was not broadcast (${String(err)}); other replicas apply it at their next reconcile`,
      );
    }
  }

  private apply(m: Message): void {
    if (m.op === 'set') {
      const key = scopeKey(m.kill.scope, m.kill.target);
      if (this.active.get(key)?.id === m.kill.id) return;
      this.active.set(key, m.kill);
      const c = this.controllers.get(key);
      if (c) {
        this.controllers.delete(key);
        c.abort(
          new PolicyDeniedError(`Kill switch ${m.kill.id} on ${m.kill.scope} '${m.kill.target}': ${m.kill.reason}`, {
            scope: key,
          }),
        );
      }
    } else {
      const key = scopeKey(m.scope, m.target);
      if (this.active.get(key)?.id !== m.id) return;
      this.active.delete(key);
    }
    this.deps.onChange?.(this.list());
  }
}

function appOf(k: KillRecord): { app?: string; appVersion?: number } {
  if (k.scope === 'app') return { app: k.target };
  if (k.scope === 'app_version') {
    const [app, v] = k.target.split('@');
    return { app, appVersion: Number(v) };
  }
  return {};
}
