// The one telemetry event pipeline: redact, keep a short recent history, fan out to listeners (aggregates,
// Prometheus, OTLP, alert rules). emit() never throws and never blocks on I/O.
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { TelemetryEvent, TelemetrySink } from '../core/sinks.js';
import { identityRedactor, redactEvent, type Redactor } from './redact.js';

export type TelemetryListener = (event: TelemetryEvent) => void;

export interface PipelineOptions {
  redact?: Redactor;
  clock?: Clock;
  logger?: Logger;
  /** How long events stay in the in-memory recent history that snapshots read (default 15 minutes). */
  recentMs?: number;
  /** Upper bound on recent events kept per app (default 2000). */
  recentPerApp?: number;
}

export class TelemetryPipeline implements TelemetrySink {
  private readonly listeners = new Set<TelemetryListener>();
  private readonly recentByApp = new Map<string, TelemetryEvent[]>();
  /** Per app, the start of the recent window as of its last event (older events may linger until a trim). */
  private readonly cutoffByApp = new Map<string, number>();
  private readonly redact: Redactor;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly recentMs: number;
  private readonly recentPerApp: number;
  private emitted = 0;

  constructor(opts: PipelineOptions = {}) {
    this.redact = opts.redact ?? identityRedactor;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.recentMs = opts.recentMs ?? 15 * 60_000;
    this.recentPerApp = opts.recentPerApp ?? 2000;
  }

  /** Adds a listener; returns a function that removes it. Listeners get redacted events only. */
  subscribe(listener: TelemetryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: TelemetryEvent): void {
    let safe: TelemetryEvent;
    try {
      safe = redactEvent({ ...event, time: event.time || this.clock.now() }, this.redact);
    } catch (err) {
      this.logger.warn('telemetry event dropped: redaction failed', { kind: event.kind, err: String(err) });
      return;
    }
    this.emitted++;
    this.remember(safe);
    for (const l of this.listeners) {
      try {
        l(safe);
      } catch (err) {
        // one failing consumer must not stop the others or the caller
        this.logger.warn('telemetry listener failed', { kind: safe.kind, err: String(err) });
      }
    }
  }

  /** Events of `app` at or after `sinceMs` (at most the newest `recentPerApp`), oldest first (already redacted). */
  recent(app: string, sinceMs: number): TelemetryEvent[] {
    const list = this.recentByApp.get(app) ?? [];
    const from = Math.max(sinceMs, this.cutoffByApp.get(app) ?? -Infinity);
    return list.slice(Math.max(0, list.length - this.recentPerApp)).filter((e) => e.time >= from);
  }

  get emittedCount(): number {
    return this.emitted;
  }

  private remember(e: TelemetryEvent): void {
    const key = e.app ?? '';
    let list = this.recentByApp.get(key);
    if (!list) this.recentByApp.set(key, (list = []));
    list.push(e);
    // Trimmed in chunks (recent() applies the exact bounds): splicing one event off a 2000-long array on every
    // emit costs more than the rest of emit().
    const slack = Math.max(64, this.recentPerApp >> 3);
    const cutoff = this.clock.now() - this.recentMs;
    this.cutoffByApp.set(key, cutoff);
    if (list.length > this.recentPerApp + slack || list[0].time < cutoff - TRIM_SLACK_MS) {
      let drop = 0;
      while (drop < list.length && (list[drop].time < cutoff || list.length - drop > this.recentPerApp)) drop++;
      if (drop > 0) list.splice(0, drop);
    }
  }
}

/** How far past the recent window the oldest kept event may be before a trim. */
const TRIM_SLACK_MS = 1000;
