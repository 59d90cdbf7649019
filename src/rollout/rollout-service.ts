// The rollout feature in one object: the gate (kill switches, then flags), the cap overlay, kills with a
// forensic snapshot first, rollback, and the responder alert rules act through.
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { GateCheck, GateRefusal, GovernanceRequest } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { WebhookOutbox } from '../notify/webhook-outbox.js';
import { sendWebhook, type DeliveryPolicy } from '../notify/webhook-sender.js';
import { silentLogger } from '../core/logger.js';
import type { AlertResponder } from '../telemetry/alert-engine.js';
import type { CapOverlay } from './caps.js';
import type { FlagService } from './flags.js';
import type { KillRecord, KillSwitches } from './kill-switches.js';
import type { RollbackService } from './rollback.js';
import type { Scope } from './scopes.js';
import type { ForensicSnapshots } from './snapshots.js';

export interface RolloutParts {
  kills: KillSwitches;
  caps: CapOverlay;
  flags: FlagService;
  snapshots: ForensicSnapshots;
  rollback?: RollbackService;
  apps?: Pick<AppReader, 'inForce' | 'latestVersion'>;
  catalog?: Pick<CatalogReader, 'dataset'>;
  clock?: Clock;
  logger?: Logger;
  /** Webhook delivery: retries after the first attempt and per-attempt timeout. */
  webhook?: AlertWebhookSettings;
  /** Keeps failed alert notifications and retries them after a restart; without it a failure is final. */
  outbox?: WebhookOutbox;
}

export interface AlertWebhookSettings {
  retries?: number;
  timeoutMs?: number;
  backoffMs?: number;
  secret?: string;
}

/** The delivery policy of alert notifications (shared with the alert outbox). */
export function alertWebhookPolicy(cfg: AlertWebhookSettings = {}): DeliveryPolicy {
  return {
    retries: cfg.retries ?? 3,
    timeoutMs: cfg.timeoutMs ?? 5000,
    backoffMs: cfg.backoffMs ?? 200,
    maxBackoffMs: 5000,
    secret: cfg.secret,
  };
}

/** Classifications whose kill lift needs two distinct approvers. */
const SENSITIVE = new Set(['pii', 'regulated']);

/** 2 when the app (or app version) reads any dataset classified pii or regulated, else 1. */
export async function approversNeeded(
  parts: Pick<RolloutParts, 'apps' | 'catalog'>,
  scope: Scope,
  target: string,
): Promise<number> {
  if (scope !== 'app' && scope !== 'app_version') return 1;
  const app = target.split('@')[0];
  const v = (await parts.apps?.inForce(app)) ?? (await parts.apps?.latestVersion(app));
  if (!v) return 1;
  const sensitive = v.manifest.spec.data.some((d) =>
    SENSITIVE.has(parts.catalog?.dataset(d.dataset)?.spec.classification ?? ''),
  );
  return sensitive ? 2 : 1;
}

/** Owner and maintainers of the app a kill targets (none for model, user or global kills). */
export async function appManagers(parts: Pick<RolloutParts, 'apps'>, scope: Scope, target: string): Promise<string[]> {
  if (scope !== 'app' && scope !== 'app_version') return [];
  const v = await parts.apps?.latestVersion(target.split('@')[0]);
  const meta = v?.manifest?.metadata;
  return meta ? [meta.owner, ...(meta.maintainers ?? [])] : [];
}

export class RolloutService implements GateCheck {
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(readonly parts: RolloutParts) {
    this.clock = parts.clock ?? systemClock;
    this.logger = parts.logger ?? silentLogger;
  }

  /**
   * GateCheck for govern() step 2: kill switches, then the app's flag, then caps that route a model to its
   * cheaper fallback (refused here, as `rerouted`, so the gateway's fallback takes over; the fallback itself passes).
   */
  check(req: GovernanceRequest): GateRefusal | null {
    const gated = this.parts.kills.check(req) ?? this.parts.flags.check(req);
    if (gated) return gated;
    if (req.action !== 'model.invoke') return null;
    const cap = this.parts.caps.limitsFor(req);
    if (!cap?.fallbackModel) return null;
    return {
      code: 'rerouted',
      modelOnly: true,
      fallbackModel: cap.fallbackModel,
      scope: `cap:${cap.capIds.join(',')}`,
      reason: `A temporary cap kills the route to model '${req.resource.id}' for now (${cap.reason}); its fallback '${cap.fallbackModel}' serves instead`,
    };
  }

  /** Kill with a snapshot: the in-memory evidence is captured before the kill takes effect, the rest right after. */
  async kill(input: {
    scope: Scope;
    target: string;
    reason: string;
    actor: string;
    source?: string;
  }): Promise<{ kill: KillRecord; created: boolean; snapshotId?: string }> {
    const existing = this.parts.kills.get(input.scope, input.target);
    if (existing) return { kill: existing, created: false, snapshotId: existing.snapshotId };
    const subject =
      input.scope === 'app'
        ? input.target
        : input.scope === 'app_version'
          ? input.target.split('@')[0]
          : `${input.scope}:${input.target}`;
    const snap = this.parts.snapshots.begin(
      subject,
      `before kill of ${input.scope} '${input.target}': ${input.reason}`,
      input.actor,
    );
    const r = await this.parts.kills.kill({ ...input, snapshotId: snap.id });
    if (r.created)
      await snap.finish().catch((err) => this.logger.error('snapshot after kill failed', { err: String(err) }));
    return { ...r, snapshotId: r.kill.snapshotId };
  }

  /** 2 when the app (or app version) reads any dataset classified pii or regulated, else 1. */
  readonly approversNeeded = (scope: Scope, target: string): Promise<number> =>
    approversNeeded(this.parts, scope, target);

  /** Data owners of the datasets an app declares (who an alert notifies). */
  async ownersOf(app: string): Promise<string[]> {
    const v = (await this.parts.apps?.inForce(app)) ?? (await this.parts.apps?.latestVersion(app));
    const owners = (v?.manifest.spec.data ?? [])
      .map((d) => this.parts.catalog?.dataset(d.dataset)?.metadata.owner)
      .filter((o): o is string => !!o);
    return [...new Set(owners)];
  }

  /** What alert rules act through. */
  responder(): AlertResponder {
    return {
      notify: (url, headers, payload) => this.postWebhook(url, headers, payload),
      cap: async (i) => {
        const c = await this.parts.caps.set({
          scope: i.scope,
          target: i.target,
          limits: i.limits,
          fallback: i.fallback,
          durationMs: i.durationMs,
          reason: i.reason,
          actor: 'system',
        });
        return { id: c.id, enforcedAt: c.setAt };
      },
      kill: async (i) => {
        const r = await this.kill({
          scope: i.scope,
          target: i.target,
          reason: i.reason,
          actor: 'system',
          source: i.source,
        });
        // setAt is stamped as the kill takes effect in memory, before it is stored, audited and snapshotted
        return { id: r.kill.id, snapshotId: r.snapshotId, created: r.created, enforcedAt: r.kill.setAt };
      },
      rollback: async (i) => {
        if (!this.parts.rollback) throw new Error('rollback is not wired (no apps lifecycle)');
        const r = await this.parts.rollback.rollback({ app: i.app, reason: i.reason, cause: i.cause, actor: 'system' });
        return { id: r.id, toVersion: r.toVersion, snapshotId: r.snapshotId, enforcedAt: r.at };
      },
      ownersOf: (app) => this.ownersOf(app),
    };
  }

  private async postWebhook(
    url: string,
    headers: Record<string, string>,
    payload: Record<string, unknown>,
  ): Promise<{ ok: boolean; status?: number; error?: string }> {
    const body = JSON.stringify({ ...payload, time: new Date(this.clock.now()).toISOString() });
    const req = { url, body, headers: { 'x-gatehouse-event': 'alert.fired', ...headers } };
    const out = this.parts.outbox
      ? await this.parts.outbox.send(req)
      : await sendWebhook(req, alertWebhookPolicy(this.parts.webhook));
    return { ok: out.ok, status: out.status, error: out.error };
  }
}
