// Rollout flags per app and environment: on/off, a percentage ramp sticky on the user id, allow-listed
// groups. Changes are stored, audited and broadcast, so they apply on every replica without a restart.
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { Environment, GateCheck, GateRefusal, GovernanceRequest } from '../core/governance.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { startReconcileLoop, type ReconcileLoop } from '../coord/reconcile-loop.js';
import type { HealthReporter } from '../core/health.js';
import type { Logger } from '../core/logger.js';
import type { SqlDb } from '../store/sql-db.js';

export const FLAG_CHANNEL = 'gatehouse.rollout.flags';
export const FLAG_ENVIRONMENTS: readonly Environment[] = ['dev', 'staging', 'prod'];

export interface Flag {
  app: string;
  environment: Environment;
  enabled: boolean;
  /** 0..100: share of users (by sticky hash) that get the app. */
  percentage: number;
  /** Users in any of these groups always get it (while enabled). */
  groups: string[];
  updatedBy: string;
  updatedAt: number;
}

export interface FlagResult {
  on: boolean;
  reason: 'disabled' | 'group' | 'ramp_in' | 'ramp_out' | 'no_flag';
}

/** 0..9999, stable per (app, user): a user inside the ramp at 30 % stays inside at 50 %. */
export function rampBucket(app: string, user: string): number {
  return createHash('sha256').update(`${app}\u0000${user}`).digest().readUInt32BE(0) % 10_000;
}

/**
 * The flag row holding the share of users a canary's live stage sends to the candidate (managed by the canary; shown
 * by `gatehouse flag list <app>`). '#' cannot appear in an app name, so the row never gates an app itself.
 */
export function canaryFlagApp(app: string): string {
  return `${app}#canary`;
}

export function evaluateFlag(flag: Flag | undefined, user: string, groups: readonly string[]): FlagResult {
  if (!flag) return { on: true, reason: 'no_flag' };
  if (!flag.enabled) return { on: false, reason: 'disabled' };
  if (flag.groups.some((g) => groups.includes(g))) return { on: true, reason: 'group' };
  return rampBucket(flag.app, user) < Math.round(flag.percentage * 100)
    ? { on: true, reason: 'ramp_in' }
    : { on: false, reason: 'ramp_out' };
}

interface Row {
  app: string;
  environment: string;
  enabled: number;
  percentage: number;
  groups_json: string;
  updated_by: string;
  updated_at: number;
}

export class FlagService implements GateCheck {
  private readonly flags = new Map<string, Flag>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private reconciler: ReconcileLoop | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      db: SqlDb;
      coord: Coordination;
      audit: AuditSink;
      clock?: Clock;
      /** How often the store is re-read (0 turns the timer off); 2 s by default. */
      reconcileMs?: number;
      health?: HealthReporter;
      logger?: Logger;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Loads the flags, follows broadcasts, and re-reads the store on a timer (a missed broadcast heals). */
  async start(): Promise<void> {
    await this.reconcile();
    this.reconciler = startReconcileLoop({
      everyMs: this.deps.reconcileMs ?? 2000,
      run: () => this.reconcile(),
      component: 'flag-reconcile',
      failure: 'flags not reconciled from the store',
      health: this.deps.health,
      logger: this.deps.logger,
    });
    this.unsubscribe = await this.deps.coord.subscribe(FLAG_CHANNEL, (m) => {
      try {
        this.put(JSON.parse(m) as Flag);
      } catch {
        // malformed broadcast: ignore, the next reconcile reads the store
      }
    });
  }

  async stop(): Promise<void> {
    this.reconciler?.stop();
    await this.unsubscribe?.();
  }

  /** Takes every stored flag newer than the one held here (flags are stored before they are broadcast). */
  async reconcile(): Promise<void> {
    for (const r of await this.deps.db.all<Row>('SELECT * FROM rollout_flags')) {
      this.put({
        app: r.app,
        environment: r.environment as Environment,
        enabled: Number(r.enabled) === 1,
        percentage: Number(r.percentage),
        groups: JSON.parse(r.groups_json) as string[],
        updatedBy: r.updated_by,
        updatedAt: Number(r.updated_at),
      });
    }
  }

  get(app: string, environment: Environment): Flag | undefined {
    return this.flags.get(`${app}|${environment}`);
  }

  /** Every flag, or an app's flags with the rows that belong to it (its canary share). */
  list(app?: string): Flag[] {
    return [...this.flags.values()].filter((f) => !app || f.app === app || f.app === canaryFlagApp(app));
  }

  evaluate(app: string, environment: Environment, user: string, groups: readonly string[] = []): FlagResult {
    return evaluateFlag(this.get(app, environment), user, groups);
  }

  /** GateCheck: refuses app calls from users the app's flag leaves out in that environment. */
  check(req: GovernanceRequest): GateRefusal | null {
    const app = req.subject.app;
    const env = req.environment ?? req.app?.environment;
    if (!app || !env || this.flags.size === 0 || req.action === 'app.submit') return null;
    const r = this.evaluate(app, env, req.subject.user, req.subject.groups);
    if (r.on) return null;
    const f = this.get(app, env)!;
    const why =
      r.reason === 'disabled'
        ? 'is switched off'
        : `is ramped to ${f.percentage}% and user '${req.subject.user}' is not in the ramp or in groups [${f.groups.join(', ')}]`;
    return { code: 'flag_off', scope: `flag:${app}:${env}`, reason: `App '${app}' ${why} in ${env}.` };
  }

  async set(input: {
    app: string;
    environment: Environment;
    enabled?: boolean;
    percentage?: number;
    groups?: string[];
    actor: string;
  }): Promise<Flag> {
    if (!FLAG_ENVIRONMENTS.includes(input.environment))
      throw new InvalidInputError(
        `environment '${input.environment}' must be one of ${FLAG_ENVIRONMENTS.join(', ')}.`,
        [{ path: 'environment', message: 'dev, staging or prod' }],
      );
    if (input.percentage !== undefined && !(input.percentage >= 0 && input.percentage <= 100)) {
      throw new InvalidInputError(`percentage must be between 0 and 100, got ${input.percentage}.`, [
        { path: 'percentage', message: '0..100' },
      ]);
    }
    const before = this.get(input.app, input.environment);
    const flag: Flag = {
      app: input.app,
      environment: input.environment,
      enabled: input.enabled ?? before?.enabled ?? true,
      percentage: input.percentage ?? before?.percentage ?? 100,
      groups: input.groups ?? before?.groups ?? [],
      updatedBy: input.actor,
      updatedAt: this.clock.now(),
    };
    await this.deps.db.run(
      `INSERT INTO rollout_flags (app, environment, enabled, percentage, groups_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (app, environment) DO UPDATE SET enabled = excluded.enabled, percentage = excluded.percentage, groups_json = excluded.groups_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [
        flag.app,
        flag.environment,
        flag.enabled ? 1 : 0,
        flag.percentage,
        JSON.stringify(flag.groups),
        flag.updatedBy,
        flag.updatedAt,
      ],
    );
    this.put(flag);
    await this.deps.coord.publish(FLAG_CHANNEL, JSON.stringify(flag)).catch(() => {});
    await this.deps.audit.append({
      type: 'flag.changed',
      actor: input.actor,
      app: flag.app,
      data: {
        environment: flag.environment,
        before: before ? { enabled: before.enabled, percentage: before.percentage, groups: before.groups } : null,
        after: { enabled: flag.enabled, percentage: flag.percentage, groups: flag.groups },
      },
    });
    return flag;
  }

  private put(f: Flag): void {
    const cur = this.flags.get(`${f.app}|${f.environment}`);
    if (cur && cur.updatedAt > f.updatedAt) return; // an older broadcast arriving late
    this.flags.set(`${f.app}|${f.environment}`, f);
  }
}
