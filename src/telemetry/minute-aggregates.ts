// Per-minute aggregates per app, user, model, connector, dataset and observed data flow (app>dataset): summed in
// memory, flushed to the store by upsert.
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { TelemetryEvent } from '../core/sinks.js';
import type { SqlDb } from '../store/sql-db.js';

export const AGGREGATE_DIMS = ['app', 'user', 'model', 'connector', 'dataset', 'data_flow'] as const;
export type AggregateDim = (typeof AGGREGATE_DIMS)[number];

export interface AggregateRow {
  minute: number;
  dim: AggregateDim;
  key: string;
  kind: string;
  metric: string;
  total: number;
  samples: number;
}

export interface AggregateQuery {
  dim: AggregateDim;
  /** One key; without it, every key of the dimension (e.g. every observed data_flow edge). */
  key?: string;
  kind?: string;
  metric?: string;
  from: number;
  to: number;
}

/** The key an event has in a dimension: data_flow is the observed edge app>dataset (the data-flow map's input). */
function keyOf(e: TelemetryEvent, dim: AggregateDim): string | undefined {
  if (dim === 'data_flow') return e.app && e.dataset ? `${e.app}>${e.dataset}` : undefined;
  return e[dim];
}

export const minuteOf = (t: number): number => Math.floor(t / 60_000) * 60_000;

export class MinuteAggregates {
  private pending = new Map<string, AggregateRow>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqlDb,
    private readonly opts: { clock?: Clock; logger?: Logger; flushIntervalMs?: number } = {},
  ) {}

  /** Starts the periodic flush (unref'd so it never keeps the process alive). */
  start(): void {
    const every = this.opts.flushIntervalMs ?? 5000;
    this.timer ??= setInterval(() => void this.flush(), every);
    this.timer.unref?.();
  }

  /** Adds the event's metrics (plus `events` = 1) to its minute for every dimension it names. */
  add(e: TelemetryEvent): void {
    const minute = minuteOf(e.time || (this.opts.clock ?? systemClock).now());
    const metrics = e.metrics;
    const ownEvents = metrics !== undefined && Object.hasOwn(metrics, 'events');
    for (const dim of AGGREGATE_DIMS) {
      const key = keyOf(e, dim);
      if (!key) continue;
      // One id prefix per dimension; rows are only allocated for new (minute, dim, key, kind, metric) tuples.
      const prefix = `${minute}|${dim}|${key}|${e.kind}|`;
      if (!ownEvents) this.bump(prefix, minute, dim, key, e.kind, 'events', 1, 1);
      if (metrics)
        for (const metric in metrics) {
          const v = metrics[metric];
          if (Number.isFinite(v)) this.bump(prefix, minute, dim, key, e.kind, metric, v, 1);
        }
    }
  }

  private bump(
    prefix: string,
    minute: number,
    dim: AggregateDim,
    key: string,
    kind: string,
    metric: string,
    total: number,
    samples: number,
  ): void {
    const id = prefix + metric;
    const row = this.pending.get(id);
    if (row) {
      row.total += total;
      row.samples += samples;
    } else this.pending.set(id, { minute, dim, key, kind, metric, total, samples });
  }

  private merge(r: AggregateRow): void {
    this.bump(`${r.minute}|${r.dim}|${r.key}|${r.kind}|`, r.minute, r.dim, r.key, r.kind, r.metric, r.total, r.samples);
  }

  /** Writes pending sums to the store in one transaction; concurrent calls queue. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const rows = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.db.transaction(async (tx) => {
          for (const r of rows) {
            await tx.run(
              `INSERT INTO telemetry_minutes (minute, dim, dim_key, kind, metric, total, samples) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (minute, dim, dim_key, kind, metric) DO UPDATE SET total = telemetry_minutes.total + excluded.total, samples = telemetry_minutes.samples + excluded.samples`,
              [r.minute, r.dim, r.key, r.kind, r.metric, r.total, r.samples],
            );
          }
        });
      } catch (err) {
        // keep the sums for the next attempt rather than lose them
        for (const r of rows) this.merge(r);
        (this.opts.logger ?? silentLogger).warn('telemetry aggregate flush failed; will retry', { err: String(err) });
      }
    });
    return this.flushing;
  }

  /** Stored rows for one dimension key (or all its keys) between `from` and `to` (inclusive minutes), after a flush. */
  async query(q: AggregateQuery): Promise<AggregateRow[]> {
    await this.flush();
    const where = ['dim = ?', 'minute >= ?', 'minute <= ?'];
    const params: unknown[] = [q.dim, minuteOf(q.from), q.to];
    if (q.key !== undefined) {
      where.push('dim_key = ?');
      params.push(q.key);
    }
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    if (q.metric) {
      where.push('metric = ?');
      params.push(q.metric);
    }
    const rows = await this.db.all<{
      minute: number;
      dim: AggregateDim;
      dim_key: string;
      kind: string;
      metric: string;
      total: number;
      samples: number;
    }>(
      `SELECT minute, dim, dim_key, kind, metric, total, samples FROM telemetry_minutes WHERE ${where.join(' AND ')} ORDER BY minute, dim_key, kind, metric LIMIT 10000`,
      params,
    );
    return rows.map((r) => ({
      minute: r.minute,
      dim: r.dim,
      key: r.dim_key,
      kind: r.kind,
      metric: r.metric,
      total: Number(r.total),
      samples: Number(r.samples),
    }));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
