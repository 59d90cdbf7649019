// Threshold windows shared by every replica: each matching event is added to a coordination counter for its
// slice of time, and the rule compares the sum of the slices covering its window. With three replicas behind a
// load balancer, "3 SSNs in 5 minutes" fires when the three arrive on three replicas, not only on one.
import type { TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { AlertCondition } from './alert-rule-schema.js';
import type { Trigger } from './alert-conditions.js';

/** A window is counted in this many slices; the sum may include up to one slice of events older than the window. */
export const SLICES_PER_WINDOW = 10;
const MAX_EVENTS = 50;

export interface SharedConditionState {
  observe(e: TelemetryEvent, value: number): Promise<Trigger | null>;
}

export class SharedThresholdState implements SharedConditionState {
  /** The events this replica saw, as evidence for the firing (the counts are shared, the events are not). */
  private seen: TelemetryEvent[] = [];
  private readonly sliceMs: number;

  constructor(
    private readonly c: Extract<AlertCondition, { type: 'threshold' }>,
    private readonly coord: Coordination,
    /** Names the rule and group, e.g. `alert-window:repeated-ssn:support-bot`. */
    private readonly keyBase: string,
  ) {
    this.sliceMs = Math.max(1000, Math.ceil(c.window / SLICES_PER_WINDOW));
  }

  async observe(e: TelemetryEvent, value: number): Promise<Trigger | null> {
    this.seen.push(e);
    while (this.seen.length && this.seen[0].time <= e.time - this.c.window) this.seen.shift();
    if (this.seen.length > MAX_EVENTS) this.seen.splice(0, this.seen.length - MAX_EVENTS);
    const slice = Math.floor(e.time / this.sliceMs);
    const slices = Math.ceil(this.c.window / this.sliceMs);
    await this.coord.add(`${this.keyBase}:${slice}`, value, this.c.window + 2 * this.sliceMs);
    const keys = Array.from({ length: slices }, (_, i) => `${this.keyBase}:${slice - i}`);
    const sum = (await this.coord.getMany(keys)).reduce((a, b) => a + b, 0);
    const hit = this.c.op === '>=' ? sum >= this.c.value : sum > this.c.value;
    if (!hit) return null;
    return {
      observed: { value: sum, threshold: this.c.value, windowMs: this.c.window },
      firstEventAt: this.seen[0]?.time ?? e.time,
      events: [...this.seen],
      summary: `${this.c.metric} = ${sum} ${this.c.op} ${this.c.value} within ${this.c.window / 1000}s (all replicas)`,
    };
  }
}
