// Deployment-regression windows shared by every replica, for the error-rate measure: each version's events and
// failures are coordination counters in time slices (as threshold windows are), so the newest version is compared
// with the previous one over the traffic of all replicas. p95 latency needs the values themselves and stays per
// replica (the engine keeps the in-process state for it).
import type { TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { AlertCondition } from './alert-rule-schema.js';
import { isFailure, type Trigger } from './alert-conditions.js';
import { SLICES_PER_WINDOW, type SharedConditionState } from './shared-window.js';

const MAX_EVENTS = 50;
/** How many versions back the previous one is looked for (a rollout skips few versions). */
const LOOKBACK = 5;

export class SharedRegressionState implements SharedConditionState {
  private readonly sliceMs: number;
  private newest = 0;
  private seen: TelemetryEvent[] = [];

  constructor(
    private readonly c: Extract<AlertCondition, { type: 'regression' }>,
    private readonly coord: Coordination,
    /** Names the rule and group, e.g. `alert-regression:bad-release:support-bot`. */
    private readonly keyBase: string,
  ) {
    this.sliceMs = Math.max(1000, Math.ceil(c.window / SLICES_PER_WINDOW));
  }

  async observe(e: TelemetryEvent): Promise<Trigger | null> {
    const v = e.appVersion;
    if (v === undefined) return null;
    const slice = Math.floor(e.time / this.sliceMs);
    const ttl = this.c.window + 2 * this.sliceMs;
    await this.coord.add(`${this.keyBase}:v${v}:n:${slice}`, 1, ttl);
    if (isFailure(e)) await this.coord.add(`${this.keyBase}:v${v}:f:${slice}`, 1, ttl);
    this.newest = Math.max(this.newest, v);
    if (v !== this.newest) return null;
    this.seen.push(e);
    while (this.seen.length && this.seen[0].time <= e.time - this.c.window) this.seen.shift();
    if (this.seen.length > MAX_EVENTS) this.seen.splice(0, this.seen.length - MAX_EVENTS);

    // One read: events and failures of this version and the LOOKBACK before it, over the window's slices.
    const slices = Math.ceil(this.c.window / this.sliceMs);
    const versions = Array.from({ length: LOOKBACK + 1 }, (_, i) => v - i).filter((x) => x >= 0);
    const keys = versions.flatMap((x) =>
      ['n', 'f'].flatMap((k) => Array.from({ length: slices }, (_, i) => `${this.keyBase}:v${x}:${k}:${slice - i}`)),
    );
    const values = await this.coord.getMany(keys);
    const sum = (vi: number, k: 0 | 1) =>
      values.slice((vi * 2 + k) * slices, (vi * 2 + k + 1) * slices).reduce((a, b) => a + b, 0);
    const prevIndex = versions.findIndex((_, i) => i > 0 && sum(i, 0) > 0);
    if (prevIndex < 0) return null;
    const [n, f, pn, pf] = [sum(0, 0), sum(0, 1), sum(prevIndex, 0), sum(prevIndex, 1)];
    if (n < this.c.minEvents || pn < this.c.minEvents) return null;
    const now = f / n;
    const before = pf / pn;
    if (now < this.c.factor * Math.max(before, 0.01)) return null;
    const events = this.seen;
    this.seen = [];
    const prev = versions[prevIndex];
    return {
      observed: { value: now, previous: before, factor: this.c.factor, version: v, previousVersion: prev },
      firstEventAt: events[0]?.time ?? e.time,
      events,
      summary: `error_rate of v${v} = ${round(now)} vs ${round(before)} for v${prev} (x${this.c.factor} or more, all replicas)`,
    };
  }
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
