// The alert engine: matches each telemetry event against the rules, keeps their windows, and when one fires
// runs its actions in order (notify → cap → kill → rollback), records time to contain, and audits the firing
// with the events that triggered it. Evaluation is synchronous; actions run in the background.
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { AuditSink, TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import { ACTION_ORDER, actionType, type ActionType, type AlertRuleDoc, type GroupBy } from './alert-rule-schema.js';
import {
  createConditionState,
  groupKeyOf,
  metricValue,
  type ConditionState,
  type Trigger,
} from './alert-conditions.js';
import type { AlertStore } from './alert-store.js';
import { SharedAnomalyState } from './shared-anomaly.js';
import { SharedRegressionState } from './shared-regression.js';
import { SharedThresholdState, type SharedConditionState } from './shared-window.js';

export const RULES_CHANNEL = 'gatehouse.alerts.rules';

/** What alert actions act through (implemented by the rollout feature and the notifier). */
export interface AlertResponder {
  notify(
    webhook: string,
    headers: Record<string, string>,
    payload: Record<string, unknown>,
  ): Promise<{ ok: boolean; status?: number; error?: string }>;
  /** Each enforcing action reports `enforcedAt`: when it took effect here (before its bookkeeping finished). */
  cap(input: {
    scope: GroupBy;
    target: string;
    limits: Record<string, number>;
    fallback: boolean;
    durationMs: number;
    reason: string;
  }): Promise<{ id: string; enforcedAt?: number }>;
  kill(input: {
    scope: GroupBy;
    target: string;
    reason: string;
    source: string;
  }): Promise<{ id: string; snapshotId?: string; enforcedAt?: number }>;
  rollback(input: {
    app: string;
    reason: string;
    cause: string;
  }): Promise<{ id: string; toVersion: number; snapshotId?: string; enforcedAt?: number }>;
  /** Who should hear about an app (its datasets' owners), for the notification. */
  ownersOf?(app: string): Promise<string[]>;
}

export interface ActionOutcome {
  type: ActionType;
  ok: boolean;
  at: number;
  /** ms from the first triggering event to this action taking effect. */
  containMs?: number;
  detail: Record<string, unknown>;
  error?: string;
}

export interface AlertFiring {
  id: string;
  rule: string;
  groupBy: GroupBy;
  groupKey: string;
  app?: string;
  firedAt: number;
  firstEventAt: number;
  summary: string;
  observed: Record<string, number>;
  events: TelemetryEvent[];
  actions: ActionOutcome[];
  /** When the first enforcing action (cap, kill or rollback) took effect, and how long after the first event. */
  containedAt?: number;
  containMs?: number;
  /** ms from the event that crossed the condition to enforcement. */
  reactionMs?: number;
  auditIndex?: number;
}

export interface AlertEngineDeps {
  store: AlertStore;
  responder: AlertResponder;
  audit: AuditSink;
  coord?: Coordination;
  /**
   * Count threshold windows, anomaly minutes and error-rate regression windows (p95 stays per replica) in the coordination store and let one replica fire per group (a lease), so rules see
   * the events of every replica. Set when replicas share Redis; in-process windows otherwise.
   */
  sharedWindows?: boolean;
  clock?: Clock;
  logger?: Logger;
  onFiring?: (f: AlertFiring) => void;
}

interface SharedSlot {
  state: SharedConditionState;
  queue: Promise<void>;
}

interface LiveRule {
  doc: AlertRuleDoc;
  kinds: Set<string>;
  states: Map<string, ConditionState>;
  shared: Map<string, SharedSlot>;
  cooldownUntil: Map<string, number>;
}

export class AlertEngine {
  private rules = new Map<string, LiveRule>();
  private readonly pending = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly deps: AlertEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = await this.deps.coord?.subscribe(
      RULES_CHANNEL,
      () => void this.reload().catch((err) => this.logger.error('alert rules reload failed', { err: String(err) })),
    );
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    await this.idle();
  }

  /** Re-reads the rules from the store; windows of unchanged rules are kept. */
  async reload(): Promise<void> {
    const next = new Map<string, LiveRule>();
    for (const { doc } of await this.deps.store.rules()) {
      const old = this.rules.get(doc.metadata.name);
      const same = old && JSON.stringify(old.doc) === JSON.stringify(doc);
      next.set(
        doc.metadata.name,
        same
          ? old
          : {
              doc,
              kinds: new Set([doc.spec.match.kind].flat()),
              states: new Map(),
              shared: new Map(),
              cooldownUntil: new Map(),
            },
      );
    }
    this.rules = next;
  }

  /** Stores validated rules, reloads here and tells the other replicas. */
  async apply(docs: AlertRuleDoc[], actor: string): Promise<string[]> {
    await this.deps.store.putRules(docs, actor, this.clock.now());
    for (const d of docs)
      await this.deps.audit.append({
        type: 'alert.rule_applied',
        actor,
        app: d.spec.match.app,
        data: { rule: d.metadata.name, spec: d.spec },
      });
    await this.reload();
    await this.deps.coord?.publish(RULES_CHANNEL, 'reload').catch(() => {});
    return docs.map((d) => d.metadata.name);
  }

  list(): AlertRuleDoc[] {
    return [...this.rules.values()].map((r) => r.doc);
  }

  /** Resolves once every firing in progress has finished its actions and audit entry. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Telemetry listener. */
  readonly onEvent = (e: TelemetryEvent): void => {
    for (const rule of this.rules.values()) {
      const spec = rule.doc.spec;
      if (!spec.enabled || !rule.kinds.has(e.kind) || !matches(e, spec.match)) continue;
      const key = groupKeyOf(e, spec.groupBy);
      if (key === undefined) continue;
      const metric = 'metric' in spec.condition ? spec.condition.metric : 'events';
      const value = metricValue(e, metric);
      const shared = this.sharedState(rule, key);
      if (shared) {
        // Counts live in the coordination store; one chain per group keeps its events in order.
        const run = shared.queue.then(async () => {
          const trigger = await shared.state.observe(e, value);
          if (trigger) await this.consider(rule, key, e, trigger);
        });
        shared.queue = run.catch((err) =>
          this.logger.error('shared alert window failed', { rule: rule.doc.metadata.name, err: String(err) }),
        );
        this.track(shared.queue);
        continue;
      }
      let state = rule.states.get(key);
      if (!state) rule.states.set(key, (state = createConditionState(spec.condition)));
      const trigger = state.observe(e, value);
      if (trigger) this.track(this.consider(rule, key, e, trigger));
    }
  };

  private sharedState(rule: LiveRule, key: string): SharedSlot | undefined {
    const c = rule.doc.spec.condition;
    const coord = this.deps.coord;
    if (!this.deps.sharedWindows || !coord) return undefined;
    if (c.type === 'cost_over_budget_pct' || (c.type === 'regression' && c.measure !== 'error_rate')) return undefined;
    let slot = rule.shared.get(key);
    if (!slot) {
      const name = rule.doc.metadata.name;
      const state =
        c.type === 'threshold'
          ? new SharedThresholdState(c, coord, `alert-window:${name}:${key}`)
          : c.type === 'anomaly'
            ? new SharedAnomalyState(c, coord, `alert-anomaly:${name}:${key}`)
            : new SharedRegressionState(c, coord, `alert-regression:${name}:${key}`);
      slot = { state, queue: Promise.resolve() };
      rule.shared.set(key, slot);
    }
    return slot;
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Fires unless the group is cooling down here or, with shared windows, another replica already fired it. */
  private async consider(rule: LiveRule, key: string, e: TelemetryEvent, trigger: Trigger): Promise<void> {
    const spec = rule.doc.spec;
    const now = this.clock.now();
    if ((rule.cooldownUntil.get(key) ?? 0) > now) return;
    rule.cooldownUntil.set(key, now + spec.cooldown);
    if (this.deps.sharedWindows && this.deps.coord) {
      const windowMs = 'window' in spec.condition ? spec.condition.window : 0;
      const lease = await this.deps.coord
        .reserve(`alert-fired:${rule.doc.metadata.name}:${key}`, 1, 1, Math.max(spec.cooldown, windowMs))
        .catch((err: unknown) => {
          // Containment over deduplication: without the store, fire here (another replica may fire too).
          this.logger.warn('alert lease unavailable; firing on this replica', { err: String(err) });
          return { ok: true, current: 1 };
        });
      if (!lease.ok) return;
    }
    await this.fire(rule.doc, key, e, trigger).catch((err) =>
      this.logger.error('alert firing failed', { rule: rule.doc.metadata.name, err: String(err) }),
    );
  }

  private async fire(doc: AlertRuleDoc, key: string, crossing: TelemetryEvent, t: Trigger): Promise<void> {
    const spec = doc.spec;
    const app = spec.groupBy === 'app' ? key : spec.groupBy === 'app_version' ? key.split('@')[0] : crossing.app;
    const f: AlertFiring = {
      id: newId('alr', this.clock.now()),
      rule: doc.metadata.name,
      groupBy: spec.groupBy,
      groupKey: key,
      app,
      firedAt: this.clock.now(),
      firstEventAt: t.firstEventAt,
      summary: t.summary,
      observed: t.observed,
      events: t.events,
      actions: [],
    };
    const reason = `alert ${f.id} (${doc.metadata.name}): ${t.summary}`;
    const actions = [...spec.actions].sort(
      (a, b) => ACTION_ORDER.indexOf(actionType(a)) - ACTION_ORDER.indexOf(actionType(b)),
    );
    const notifications: Promise<void>[] = [];
    for (const a of actions) {
      const type = actionType(a);
      const outcome: ActionOutcome = { type, ok: false, at: 0, detail: {} };
      f.actions.push(outcome);
      try {
        if ('notify' in a) {
          // started first, awaited last: a slow webhook must not delay containment
          notifications.push(
            this.notify(a.notify.webhook, a.notify.headers ?? {}, f, actions.map(actionType), outcome),
          );
          continue;
        }
        if ('cap' in a)
          outcome.detail = await this.deps.responder.cap({
            scope: spec.groupBy,
            target: key,
            limits: a.cap.limits,
            fallback: a.cap.fallback,
            durationMs: a.cap.duration,
            reason,
          });
        else if ('kill' in a)
          outcome.detail = await this.deps.responder.kill({
            ...killScope(spec, key, crossing),
            reason,
            source: `alert:${doc.metadata.name}`,
          });
        else if (app)
          outcome.detail = await this.deps.responder.rollback({ app, reason, cause: `alert:${doc.metadata.name}` });
        outcome.ok = true;
        outcome.at = typeof outcome.detail.enforcedAt === 'number' ? outcome.detail.enforcedAt : this.clock.now();
        outcome.containMs = outcome.at - f.firstEventAt;
        if (f.containedAt === undefined) {
          f.containedAt = outcome.at;
          f.containMs = outcome.containMs;
          f.reactionMs = outcome.at - crossing.time;
        }
      } catch (err) {
        outcome.at = this.clock.now();
        outcome.error = (err as Error).message;
        this.logger.error('alert action failed', { rule: doc.metadata.name, action: type, err: outcome.error });
      }
    }
    await this.deps.store.saveFiring(f);
    this.deps.onFiring?.(f);
    await Promise.allSettled(notifications);
    const { index } = await this.deps.audit.append({
      type: 'alert.fired',
      actor: 'system',
      app,
      ids: { alertId: f.id },
      data: {
        rule: f.rule,
        groupKey: key,
        summary: f.summary,
        observed: f.observed,
        firstEventAt: f.firstEventAt,
        containMs: f.containMs ?? null,
        actions: f.actions,
        events: f.events,
      },
    });
    f.auditIndex = index;
    await this.deps.store.saveFiring(f);
  }

  private async notify(
    url: string,
    headers: Record<string, string>,
    f: AlertFiring,
    planned: ActionType[],
    outcome: ActionOutcome,
  ): Promise<void> {
    try {
      const owners = f.app ? ((await this.deps.responder.ownersOf?.(f.app)) ?? []) : [];
      const payload = {
        type: 'alert.fired',
        alertId: f.id,
        rule: f.rule,
        app: f.app ?? null,
        groupBy: f.groupBy,
        groupKey: f.groupKey,
        summary: f.summary,
        observed: f.observed,
        firstEventAt: f.firstEventAt,
        firedAt: f.firedAt,
        actions: planned,
        dataOwners: owners,
        eventCount: f.events.length,
        text: `Gatehouse alert ${f.rule} on ${f.groupBy} '${f.groupKey}': ${f.summary}; actions: ${planned.join(' → ')}`,
      };
      const r = await this.deps.responder.notify(url, headers, payload);
      Object.assign(outcome, {
        ok: r.ok,
        at: this.clock.now(),
        detail: { url: redactUrl(url), status: r.status, dataOwners: owners },
        error: r.error,
      });
    } catch (err) {
      Object.assign(outcome, {
        ok: false,
        at: this.clock.now(),
        detail: { url: redactUrl(url) },
        error: (err as Error).message,
      });
    }
  }
}

/**
 * What a rule's kill applies to: its group, except that a rule which also rolls back kills only the version that
 * misbehaved (the crossing event's app version), so the previous good version the rollback restores can serve.
 * An app-wide kill would refuse that version too. Without a version on the event the kill stays app-wide.
 */
function killScope(
  spec: AlertRuleDoc['spec'],
  key: string,
  crossing: TelemetryEvent,
): { scope: GroupBy; target: string } {
  const rollsBack = spec.actions.some((a) => 'rollback' in a);
  if (rollsBack && spec.groupBy === 'app' && crossing.appVersion !== undefined)
    return { scope: 'app_version', target: `${key}@${crossing.appVersion}` };
  return { scope: spec.groupBy, target: key };
}

/** Webhook URLs may carry secrets in the path or query; records keep the origin only. */
function redactUrl(u: string): string {
  try {
    return new URL(u).origin;
  } catch {
    return '(invalid url)';
  }
}

function matches(e: TelemetryEvent, m: AlertRuleDoc['spec']['match']): boolean {
  if (m.app && e.app !== m.app) return false;
  for (const [k, want] of Object.entries(m.attrs ?? {})) {
    const got = e.attrs?.[k];
    const wanted: (string | number | boolean)[] = Array.isArray(want) ? want : [want];
    const labels: unknown[] = typeof got === 'string' ? got.split(',').map((s) => s.trim()) : [got];
    if (!wanted.some((w) => w === got || labels.includes(w))) return false;
  }
  return true;
}
