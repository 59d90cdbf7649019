// Builds the telemetry feature for the composition root: the pipeline (TelemetrySink), aggregates, Prometheus
// /metrics, optional OTLP export, the alert engine, and their routes.
import type { Mount } from '../http/server.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import { AlertEngine, type AlertFiring, type AlertResponder } from './alert-engine.js';
import { AlertStore } from './alert-store.js';
import { MinuteAggregates } from './minute-aggregates.js';
import { OtlpExport } from './otlp-export.js';
import { PrometheusMetrics, type CounterSource } from './prometheus-metrics.js';
import type { Redactor } from './redact.js';
import type { TelemetryConfig } from './telemetry-config.js';
import { TelemetryPipeline } from './telemetry-pipeline.js';
import { dlpDetectionsFrom } from './derived-events.js';
import { telemetryRoutes } from './telemetry-routes.js';

export interface TelemetryFeatureDeps {
  db: SqlDb;
  coord: Coordination;
  audit: AuditSink;
  clock: Clock;
  logger: Logger;
  config: TelemetryConfig;
  /** DLP redaction for string labels (src/dlp); identity when absent. */
  redact?: Redactor;
  responder: AlertResponder;
  /** The pipeline and metrics, built first (createTelemetrySignals) when other features need them earlier. */
  signals?: TelemetrySignals;
  /** Counts other features keep, exported on /metrics (ignored when `signals` is given). */
  counters?: readonly CounterSource[];
}

/** The event pipeline and the Prometheus metrics: what rollout reads and writes before alert rules exist. */
export interface TelemetrySignals {
  pipeline: TelemetryPipeline;
  prometheus: PrometheusMetrics;
}

export function createTelemetrySignals(d: {
  config: TelemetryConfig;
  clock: Clock;
  logger: Logger;
  redact?: Redactor;
  counters?: readonly CounterSource[];
}): TelemetrySignals {
  return {
    pipeline: new TelemetryPipeline({
      clock: d.clock,
      logger: d.logger,
      redact: d.redact,
      recentMs: d.config.recentMinutes * 60_000,
    }),
    prometheus: new PrometheusMetrics({ defaultMetrics: d.config.processMetrics, counters: d.counters }),
  };
}

export interface TelemetryFeature {
  /** The TelemetrySink every feature emits into. */
  pipeline: TelemetryPipeline;
  aggregates: MinuteAggregates;
  prometheus: PrometheusMetrics;
  otlp?: OtlpExport;
  alerts: AlertEngine;
  alertStore: AlertStore;
  routes: AnyRoute[];
  mounts: Mount[];
  close(): Promise<void>;
}

export async function createTelemetryFeature(deps: TelemetryFeatureDeps): Promise<TelemetryFeature> {
  const { config, clock, logger } = deps;
  const { pipeline, prometheus } = deps.signals ?? createTelemetrySignals(deps);
  const aggregates = new MinuteAggregates(deps.db, { clock, logger, flushIntervalMs: config.flushIntervalMs });
  const otlp = config.otlp.endpoint
    ? new OtlpExport({
        endpoint: config.otlp.endpoint,
        headers: config.otlp.headers,
        serviceName: config.otlp.serviceName,
        metricsIntervalMs: config.otlp.metricsIntervalMs,
      })
    : undefined;
  const alertStore = new AlertStore(deps.db);
  const onFiring = (f: AlertFiring) => {
    prometheus.alertFirings.inc({ rule: f.rule, app: f.app ?? '' });
    for (const a of f.actions)
      if (a.containMs !== undefined) prometheus.timeToContain.observe({ rule: f.rule, action: a.type }, a.containMs);
  };
  const alerts = new AlertEngine({
    store: alertStore,
    responder: deps.responder,
    audit: deps.audit,
    coord: deps.coord,
    // Replicas sharing Redis count alert windows together and fire once.
    sharedWindows: deps.coord?.kind === 'redis',
    clock,
    logger,
    onFiring,
  });
  await alerts.start();
  // Alert rules first: containment must not wait behind exporters.
  pipeline.subscribe(alerts.onEvent);
  pipeline.subscribe((e) => aggregates.add(e));
  pipeline.subscribe(prometheus.onEvent);
  if (otlp) pipeline.subscribe(otlp.onEvent);
  // Gateway call records carry DLP entity types; alert rules and metrics read them as dlp.detection events.
  pipeline.subscribe((e) => {
    for (const d of dlpDetectionsFrom(e)) pipeline.emit(d);
  });
  aggregates.start();
  return {
    pipeline,
    aggregates,
    prometheus,
    otlp,
    alerts,
    alertStore,
    routes: telemetryRoutes({ alerts, store: alertStore, aggregates, now: () => clock.now() }),
    mounts: [prometheus.mount({ token: config.metricsToken, public: config.metricsPublic })],
    async close() {
      await alerts.stop();
      await aggregates.stop();
      await otlp?.shutdown();
    },
  };
}
