// Per-rule, per-group evaluation state: sliding-window thresholds, an EWMA baseline for anomalies,
// per-version windows for deployment regressions, and the day's spend against the daily budget. Pure and in
// memory; the engine feeds matching events.
import type { TelemetryEvent } from '../core/sinks.js';
import type { AlertCondition, GroupBy } from './alert-rule-schema.js';

export interface Trigger {
  /** What was measured, for the alert and the audit entry. */
  observed: Record<string, number>;
  firstEventAt: number;
  /** The events that made the rule fire (at most 50, most recent last). */
  events: TelemetryEvent[];
  summary: string;
}

export interface ConditionState {
  observe(e: TelemetryEvent, value: number): Trigger | null;
}

const MAX_EVENTS = 50;

/** The value an event contributes to a metric. */
export function metricValue(e: TelemetryEvent, metric: string): number {
  const m = e.metrics ?? {};
  if (metric === 'events') return 1;
  if (metric === 'count') return m.count ?? 1;
  if (metric === 'tokens') return (m.tokensIn ?? 0) + (m.tokensOut ?? 0);
  if (metric === 'rows_read') return e.kind === 'data.access' ? (m.rows ?? 0) : 0;
  return m[metric] ?? 0;
}

/** The group an event belongs to, or undefined when the event does not name it. */
export function groupKeyOf(e: TelemetryEvent, groupBy: GroupBy): string | undefined {
  if (groupBy === 'app_version') return e.app && e.appVersion !== undefined ? `${e.app}@${e.appVersion}` : undefined;
  return e[groupBy];
}

class ThresholdState implements ConditionState {
  private items: { time: number; value: number; e: TelemetryEvent }[] = [];
  constructor(private readonly c: Extract<AlertCondition, { type: 'threshold' }>) {}

  observe(e: TelemetryEvent, value: number): Trigger | null {
    this.items.push({ time: e.time, value, e });
    const from = e.time - this.c.window;
    while (this.items.length && this.items[0].time <= from) this.items.shift();
    const sum = this.items.reduce((s, i) => s + i.value, 0);
    const hit = this.c.op === '>=' ? sum >= this.c.value : sum > this.c.value;
    if (!hit) return null;
    const items = this.items;
    this.items = []; // the next firing needs fresh events
    return {
      observed: { value: sum, threshold: this.c.value, windowMs: this.c.window },
      firstEventAt: items[0].time,
      events: items.slice(-MAX_EVENTS).map((i) => i.e),
      summary: `${this.c.metric} = ${sum} ${this.c.op} ${this.c.value} within ${this.c.window / 1000}s`,
    };
  }
}

/** EWMA over the totals of closed buckets (minutes by default); the current bucket is compared with it. */
class AnomalyState implements ConditionState {
  private bucket = -1;
  private current = 0;
  private currentEvents: TelemetryEvent[] = [];
  private ewma = 0;
  private samples = 0;
  private readonly alpha: number;
  constructor(private readonly c: Extract<AlertCondition, { type: 'anomaly' }>) {
    this.alpha = 1 - Math.pow(2, -1 / Math.max(1, c.halfLife / c.bucket));
  }

  private close(total: number): void {
    this.ewma = this.samples === 0 ? total : this.alpha * total + (1 - this.alpha) * this.ewma;
    this.samples++;
  }

  observe(e: TelemetryEvent, value: number): Trigger | null {
    const b = Math.floor(e.time / this.c.bucket);
    if (this.bucket < 0) this.bucket = b;
    if (b > this.bucket) {
      this.close(this.current);
      const gap = Math.min(b - this.bucket - 1, 24 * 60); // idle buckets count as zero volume
      for (let i = 0; i < gap; i++) this.close(0);
      this.bucket = b;
      this.current = 0;
      this.currentEvents = [];
    }
    this.current += value;
    this.currentEvents.push(e);
    if (this.samples < this.c.minBaselineMinutes || this.current < this.c.minVolume) return null;
    if (this.current < this.c.factor * this.ewma) return null;
    const events = this.currentEvents;
    const observed = {
      value: this.current,
      baseline: Math.round(this.ewma * 100) / 100,
      factor: this.c.factor,
      minVolume: this.c.minVolume,
    };
    this.currentEvents = [];
    return {
      observed,
      firstEventAt: events[0].time,
      events: events.slice(-MAX_EVENTS),
      summary: `${this.c.metric} this ${this.c.bucket === 60_000 ? 'minute' : `${this.c.bucket / 60_000}-minute bucket`} = ${observed.value}, ${this.c.factor}x over the EWMA baseline ${observed.baseline}`,
    };
  }
}

/**
 * Outcomes that are the version's own failures: an internal error, or its model provider failing through the gateway
 * (`upstream_error`). Refusals the caller earned (denied, limited, invalid, dlp_blocked) are governance working.
 */
const FAILURE_OUTCOMES = new Set(['error', 'upstream_error']);

export function isFailure(e: TelemetryEvent): boolean {
  return e.kind === 'error' || FAILURE_OUTCOMES.has(String(e.attrs?.outcome));
}

/** Keeps each version's most recent window of events; compares the newest version with the one before. */
class RegressionState implements ConditionState {
  private readonly byVersion = new Map<number, TelemetryEvent[]>();
  constructor(private readonly c: Extract<AlertCondition, { type: 'regression' }>) {}

  private measure(events: TelemetryEvent[]): number {
    if (this.c.measure === 'error_rate') return events.filter(isFailure).length / events.length;
    const lat = events
      .map((e) => e.metrics?.latencyMs)
      .filter((v): v is number => typeof v === 'number')
      .sort((a, b) => a - b);
    return lat.length ? lat[Math.min(lat.length - 1, Math.ceil(lat.length * 0.95) - 1)] : 0;
  }

  observe(e: TelemetryEvent): Trigger | null {
    if (e.appVersion === undefined) return null;
    let list = this.byVersion.get(e.appVersion);
    if (!list) this.byVersion.set(e.appVersion, (list = []));
    list.push(e);
    while (list.length && list[0].time <= e.time - this.c.window) list.shift();
    const versions = [...this.byVersion.keys()].sort((a, b) => b - a);
    for (const v of versions.slice(2)) this.byVersion.delete(v);
    if (versions.length < 2 || e.appVersion !== versions[0]) return null;
    const cur = this.byVersion.get(versions[0])!;
    const prev = this.byVersion.get(versions[1])!;
    if (cur.length < this.c.minEvents || prev.length < this.c.minEvents) return null;
    const now = this.measure(cur);
    const before = this.measure(prev);
    const floor = this.c.measure === 'error_rate' ? 0.01 : 1;
    if (now < this.c.factor * Math.max(before, floor)) return null;
    this.byVersion.set(versions[0], []);
    return {
      observed: {
        value: now,
        previous: before,
        factor: this.c.factor,
        version: versions[0],
        previousVersion: versions[1],
      },
      firstEventAt: cur[0].time,
      events: cur.slice(-MAX_EVENTS),
      summary: `${this.c.measure} of v${versions[0]} = ${round(now)} vs ${round(before)} for v${versions[1]} (x${this.c.factor} or more)`,
    };
  }
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

const DAY_MS = 86_400_000;

/**
 * The app's model cost today against its daily budget, both as the gateway's budget counter sees them (each call's
 * event carries `appDailyCostUsd`, spent or reserved this UTC day across replicas, and `appDailyBudgetUsd`). Fires
 * once per UTC day, when the share first reaches `value` percent; events without a budget are ignored.
 */
class BudgetState implements ConditionState {
  private firedDay = -1;
  constructor(private readonly c: Extract<AlertCondition, { type: 'cost_over_budget_pct' }>) {}

  observe(e: TelemetryEvent): Trigger | null {
    const spent = e.metrics?.appDailyCostUsd;
    const budget = e.metrics?.appDailyBudgetUsd;
    if (typeof spent !== 'number' || typeof budget !== 'number' || budget <= 0) return null;
    const day = Math.floor(e.time / DAY_MS);
    if (day === this.firedDay) return null;
    const pct = (spent / budget) * 100;
    if (pct < this.c.value) return null;
    this.firedDay = day;
    const value = Math.round(pct * 100) / 100;
    return {
      observed: { value, threshold: this.c.value, costUsd: spent, budgetUsd: budget },
      firstEventAt: e.time,
      events: [e],
      summary: `cost today $${round(spent)} is ${value}% of the daily budget $${round(budget)} (>= ${this.c.value}%)`,
    };
  }
}

export function createConditionState(c: AlertCondition): ConditionState {
  if (c.type === 'threshold') return new ThresholdState(c);
  if (c.type === 'anomaly') return new AnomalyState(c);
  if (c.type === 'cost_over_budget_pct') return new BudgetState(c);
  return new RegressionState(c);
}
