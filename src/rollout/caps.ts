// Temporary caps: limit overlays (set by alert rules or operators) that govern() merges into obligations,
// optionally routing a model to its manifest's cheaper fallback. Broadcast like kill switches; they expire.
import type { z } from 'zod';
import type { capRecordSchema } from './rollout-api-schemas.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { GovernanceRequest, Obligations } from '../core/governance.js';
import { newId } from '../core/ids.js';
import { mergeObligations } from '../core/obligations.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { SqlDb } from '../store/sql-db.js';
import { keysOf, parseTarget, refOf, scopeKey, type Scope } from './scopes.js';

export const CAP_CHANNEL = 'gatehouse.rollout.caps';

export type CapRecord = z.output<typeof capRecordSchema>;

export interface CapHit {
  capIds: string[];
  /** Merged most-restrictive limits of every cap in force for the request. */
  obligations: Obligations;
  /** The cheaper model to use instead of the requested one, from the app manifest's models[].fallback. */
  fallbackModel?: string;
  reason: string;
}

/** What the governor (or the gateway) reads to apply temporary caps. In memory, O(number of scopes). */
export interface LimitOverlay {
  limitsFor(req: GovernanceRequest): CapHit | null;
}

type Message = { op: 'set'; cap: CapRecord } | { op: 'lift'; id: string; scope: Scope; target: string };
interface CapDeps {
  db: SqlDb;
  coord: Coordination;
  audit: AuditSink;
  clock?: Clock;
  /** How often the store is re-read (0 turns the timer off); 2 s by default, like kill switches. */
  reconcileMs?: number;
  health?: HealthReporter;
  logger?: Logger;
}

interface Row {
  id: string;
  scope: string;
  target: string;
  limits: string;
  fallback: number;
  reason: string;
  actor: string;
  set_at: number;
  expires_at: number;
}

function fromRow(r: Row): CapRecord {
  return {
    id: r.id,
    scope: r.scope as Scope,
    target: r.target,
    limits: JSON.parse(r.limits) as Record<string, number>,
    fallback: Number(r.fallback) === 1,
    reason: r.reason,
    actor: r.actor,
    setAt: Number(r.set_at),
    expiresAt: Number(r.expires_at),
  };
}

export class CapOverlay implements LimitOverlay {
  private readonly active = new Map<string, CapRecord>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly clock: Clock;
  private reconciler: ReconcileLoop | undefined;

  constructor(private readonly deps: CapDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Loads the caps in force, follows broadcasts, and re-reads the store on a timer (a missed broadcast heals). */
  async start(): Promise<void> {
    await this.reconcile();
    this.reconciler = startReconcileLoop({
      everyMs: this.deps.reconcileMs ?? 2000,
      run: () => this.reconcile(),
      component: 'cap-reconcile',
      failure: 'caps not reconciled from the store',
      health: this.deps.health,
      logger: this.deps.logger,
    });
    this.unsubscribe = await this.deps.coord.subscribe(CAP_CHANNEL, (m) => {
      try {
        this.apply(JSON.parse(m) as Message);
      } catch {
        // malformed broadcast: ignore, the store stays the source of truth (next reconcile)
      }
    });
  }

  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.unsubscribe?.();
  }

  /** Makes the caps here match the store: sets what another replica set, drops what it lifted or what expired. */
  async reconcile(): Promise<void> {
    const rows = await this.deps.db.all<Row>('SELECT * FROM rollout_caps WHERE lifted_at IS NULL AND expires_at > ?', [
      this.clock.now(),
    ]);
    const ids = new Set(rows.map((r) => r.id));
    for (const r of rows) {
      const current = this.active.get(scopeKey(r.scope as Scope, r.target));
      // A newer cap set here but not stored yet wins over the stored one it replaces.
      if (!current || current.setAt <= Number(r.set_at)) this.apply({ op: 'set', cap: fromRow(r) });
    }
    for (const c of [...this.active.values()]) {
      if (ids.has(c.id)) continue;
      const row = await this.deps.db.get<{ lifted_at: number | null; expires_at: number }>(
        'SELECT lifted_at, expires_at FROM rollout_caps WHERE id = ?',
        [c.id],
      );
      // No row yet: set here a moment ago and still being stored; keep it.
      if (row && (row.lifted_at !== null || Number(row.expires_at) <= this.clock.now()))
        this.apply({ op: 'lift', id: c.id, scope: c.scope, target: c.target });
    }
  }

  limitsFor(req: GovernanceRequest): CapHit | null {
    if (this.active.size === 0) return null;
    const now = this.clock.now();
    const caps = keysOf(refOf(req))
      .map((k) => this.active.get(k))
      .filter((c): c is CapRecord => c !== undefined && c.expiresAt > now);
    if (caps.length === 0) return null;
    let obligations: Obligations = {};
    for (const c of caps) obligations = mergeObligations(obligations, c.limits);
    let fallbackModel: string | undefined;
    if (caps.some((c) => c.fallback) && req.resource.type === 'model') {
      const models = (req.app?.spec as { models?: { id: string; fallback?: string }[] } | undefined)?.models ?? [];
      fallbackModel = models.find((m) => m.id === req.resource.id)?.fallback;
    }
    return {
      capIds: caps.map((c) => c.id),
      obligations,
      fallbackModel,
      reason: caps.map((c) => `cap ${c.id} on ${c.scope} '${c.target}': ${c.reason}`).join('; '),
    };
  }

  list(): CapRecord[] {
    const now = this.clock.now();
    return [...this.active.values()].filter((c) => c.expiresAt > now);
  }

  /** Sets (or replaces) the cap on one scope; in force here at once, then broadcast, stored and audited. */
  async set(input: {
    scope: Scope;
    target: string;
    limits: Record<string, number>;
    fallback?: boolean;
    durationMs: number;
    reason: string;
    actor: string;
  }): Promise<CapRecord> {
    const target = parseTarget(input.scope, input.target);
    for (const [k, v] of Object.entries(input.limits)) {
      if (!Number.isFinite(v) || v < 0)
        throw new InvalidInputError(`cap limit ${k} must be a number >= 0, got ${String(v)}.`, [
          { path: `limits.${k}`, message: 'use a number >= 0' },
        ]);
    }
    if (!(input.durationMs > 0))
      throw new InvalidInputError('cap duration must be greater than zero.', [
        { path: 'duration', message: 'e.g. 1h' },
      ]);
    const now = this.clock.now();
    const cap: CapRecord = {
      id: newId('cap', now),
      scope: input.scope,
      target,
      limits: input.limits,
      fallback: input.fallback ?? false,
      reason: input.reason,
      actor: input.actor,
      setAt: now,
      expiresAt: now + input.durationMs,
    };
    this.apply({ op: 'set', cap });
    await this.deps.coord.publish(CAP_CHANNEL, JSON.stringify({ op: 'set', cap } satisfies Message)).catch(() => {});
    await this.deps.db.transaction(async (tx) => {
      await tx.run('UPDATE rollout_caps SET lifted_at = ? WHERE scope = ? AND target = ? AND lifted_at IS NULL', [
        now,
        cap.scope,
        target,
      ]);
      await tx.run(
        'INSERT INTO rollout_caps (id, scope, target, limits, fallback, reason, actor, set_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          cap.id,
          cap.scope,
          target,
          JSON.stringify(cap.limits),
          cap.fallback ? 1 : 0,
          cap.reason,
          cap.actor,
          cap.setAt,
          cap.expiresAt,
        ],
      );
    });
    await this.deps.audit.append({
      type: 'cap.set',
      actor: cap.actor,
      app: cap.scope === 'app' ? target : undefined,
      data: {
        capId: cap.id,
        scope: cap.scope,
        target,
        limits: cap.limits,
        fallback: cap.fallback,
        reason: cap.reason,
        expiresAt: cap.expiresAt,
      },
    });
    return cap;
  }

  async lift(scope: Scope, target: string, actor: string, reason: string): Promise<boolean> {
    const cap = this.active.get(scopeKey(scope, target));
    if (!cap) return false;
    this.apply({ op: 'lift', id: cap.id, scope, target });
    await this.deps.coord
      .publish(CAP_CHANNEL, JSON.stringify({ op: 'lift', id: cap.id, scope, target } satisfies Message))
      .catch(() => {});
    await this.deps.db.run('UPDATE rollout_caps SET lifted_at = ? WHERE id = ?', [this.clock.now(), cap.id]);
    await this.deps.audit.append({ type: 'cap.lifted', actor, data: { capId: cap.id, scope, target, reason } });
    return true;
  }

  private apply(m: Message): void {
    if (m.op === 'set') this.active.set(scopeKey(m.cap.scope, m.cap.target), m.cap);
    else if (this.active.get(scopeKey(m.scope, m.target))?.id === m.id) this.active.delete(scopeKey(m.scope, m.target));
  }
}
