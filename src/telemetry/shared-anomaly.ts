// Anomaly baselines shared by every replica: each minute's total is a coordination counter that all replicas add
// to, and the EWMA baseline is computed from those shared totals, so three replicas behind a load balancer agree
// on both "this minute" and "normal" and a spike spread over them fires (once: the engine's firing lease).
import type { TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { AlertCondition } from './alert-rule-schema.js';
import type { Trigger } from './alert-conditions.js';
import type { SharedConditionState } from './shared-window.js';

const MAX_EVENTS = 50;
/** The baseline reads at most this many closed buckets: beyond ten half-lives a bucket weighs < 0.1%. */
const MAX_HISTORY_BUCKETS = 24 * 60;

export class SharedAnomalyState implements SharedConditionState {
  private minute = -1;
  private events: TelemetryEvent[] = [];
  /** The baseline as of the start of `minute` (closed minutes only), read once per minute. */
  private baseline: { ewma: number; samples: number } | undefined;
  private readonly alpha: number;
  private readonly history: number;

  constructor(
    private readonly c: Extract<AlertCondition, { type: 'anomaly' }>,
    private readonly coord: Coordination,
    /** Names the rule and group, e.g. `alert-anomaly:token-spike:support-bot`. */
    private readonly keyBase: string,
  ) {
    // Same smoothing as the in-process state (alert-conditions.ts), so one replica and many agree.
    // Buckets are minutes unless the rule says otherwise (`bucket: 1h` for rows read per hour), as in-process.
    this.alpha = 1 - Math.pow(2, -1 / Math.max(1, c.halfLife / c.bucket));
    this.history = Math.min(
      MAX_HISTORY_BUCKETS,
      Math.max(c.minBaselineMinutes, Math.ceil((10 * c.halfLife) / c.bucket)),
    );
  }

  private get ttl(): number {
    return (this.history + 2) * this.c.bucket;
  }

  async observe(e: TelemetryEvent, value: number): Promise<Trigger | null> {
    const m = Math.floor(e.time / this.c.bucket);
    if (m !== this.minute) {
      this.minute = m;
      this.events = [];
      this.baseline = undefined;
    }
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    const current = await this.coord.add(`${this.keyBase}:m:${m}`, value, this.ttl);
    this.baseline ??= await this.readBaseline(m);
    const { ewma, samples } = this.baseline;
    if (samples < this.c.minBaselineMinutes || current < this.c.minVolume) return null;
    if (current < this.c.factor * ewma) return null;
    const events = this.events;
    this.events = [];
    const baseline = Math.round(ewma * 100) / 100;
    return {
      observed: { value: current, baseline, factor: this.c.factor, minVolume: this.c.minVolume },
      firstEventAt: events[0]?.time ?? e.time,
      events,
      summary: `${this.c.metric} this ${this.c.bucket === 60_000 ? 'minute' : `${this.c.bucket / 60_000}-minute bucket`} = ${current}, ${this.c.factor}x over the EWMA baseline ${baseline} (all replicas)`,
    };
  }

  /** EWMA over the shared totals of the closed minutes since the group's first minute (idle minutes are zeros). */
  private async readBaseline(m: number): Promise<{ ewma: number; samples: number }> {
    // The first minute any replica saw: set only while unset (reserve succeeds on an empty counter), so all agree.
    const first = await this.coord.reserve(`${this.keyBase}:first`, m, m, this.ttl);
    const since = first.ok ? m : first.current;
    const samples = Math.max(0, m - since);
    if (samples === 0) return { ewma: 0, samples };
    const start = Math.max(since, m - this.history);
    const keys = Array.from({ length: m - start }, (_, i) => `${this.keyBase}:m:${start + i}`);
    const totals = await this.coord.getMany(keys);
    let ewma = totals[0];
    for (const t of totals.slice(1)) ewma = this.alpha * t + (1 - this.alpha) * ewma;
    return { ewma, samples };
  }
}
