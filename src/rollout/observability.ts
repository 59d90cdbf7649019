// One call for the composition root: builds the telemetry and rollout features together (they need each
// other: snapshots read recent events, alert rules act through kills/caps/rollback) and hands back what
// main.ts plugs in: the TelemetrySink, the gate, the governor wrapper for caps, routes and mounts.
import type { Mount } from '../http/server.js';
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type { DecisionSink, GateCheck, LimitOverlay } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink, TelemetrySink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { DlpEngine } from '../dlp/index.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import { dlpRedactor } from '../telemetry/redact.js';
import type { TelemetryConfig } from '../telemetry/telemetry-config.js';
import type { CounterSource } from '../telemetry/prometheus-metrics.js';
import type { HealthReporter } from '../core/health.js';
import {
  createTelemetryFeature,
  createTelemetrySignals,
  type TelemetryFeature,
} from '../telemetry/telemetry-feature.js';
import type { RollbackService, AppTransitions } from './rollback.js';
import type { RolloutConfig } from './rollout-config.js';
import { createRolloutFeature, type RolloutFeature } from './rollout-feature.js';
import type { AuditEvidenceSource } from './snapshots.js';
import type { WebhookOutbox } from '../notify/webhook-outbox.js';
import type { ScopeRef } from './scopes.js';

export interface ObservabilityDeps {
  db: SqlDb;
  coord: Coordination;
  audit: AuditSink;
  /** The audit log itself, for snapshot checkpoints and inclusion proofs. */
  evidence?: AuditEvidenceSource;
  clock: Clock;
  logger: Logger;
  telemetry: TelemetryConfig;
  rollout: RolloutConfig;
  apps?: Pick<AppReader, 'inForce' | 'latestVersion' | 'listVersions'>;
  catalog?: Pick<CatalogReader, 'dataset'>;
  lifecycle?: AppTransitions;
  dlp?: Pick<DlpEngine, 'redact'>;
  bundleRevision?: () => string | undefined;
  /** The app's recent policy decisions, for snapshots (the policy decision log). */
  recentDecisions?: (app: string, sinceMs: number) => Promise<unknown[]>;
  /** Counts other features keep, exported on /metrics (e.g. decisions the decision log dropped). */
  counters?: readonly CounterSource[];
  /** Where rollout reports problems it recovers from (lost kill broadcasts). */
  health?: HealthReporter;
  /** Alert notifications that failed are kept here and retried after a restart. */
  alertOutbox?: WebhookOutbox;
}

export interface Observability {
  telemetry: TelemetryFeature;
  rollout: RolloutFeature;
  /** Where every feature emits telemetry events. */
  sink: TelemetrySink;
  /** govern() step 2: kill switches, flags, cap fallbacks. */
  gate: GateCheck;
  /** Records each decision as a telemetry event (for alert rules, metrics and snapshots). */
  decisionSink: DecisionSink;
  /** govern() step 3b: temporary caps merged into the obligations of allowed decisions. */
  overlay: LimitOverlay;
  rollback?: RollbackService;
  /** Aborts as soon as any scope of `ref` is killed: attach it to streams and runs so a kill cuts them. */
  signalFor(ref: ScopeRef): AbortSignal;
  routes: AnyRoute[];
  mounts: Mount[];
  close(): Promise<void>;
}

export async function createObservability(d: ObservabilityDeps): Promise<Observability> {
  // The pipeline and metrics come first: rollout reads recent events and keeps the kill gauge from its first load;
  // the alert engine comes last, with rollout as its responder.
  const signals = createTelemetrySignals({
    config: d.telemetry,
    clock: d.clock,
    logger: d.logger,
    redact: d.dlp ? dlpRedactor(d.dlp) : undefined,
    counters: d.counters,
  });
  const rollout = await createRolloutFeature({
    health: d.health,
    db: d.db,
    coord: d.coord,
    audit: d.audit,
    clock: d.clock,
    logger: d.logger,
    apps: d.apps,
    catalog: d.catalog,
    lifecycle: d.lifecycle,
    evidence: d.evidence,
    bundleRevision: d.bundleRevision,
    recentDecisions: d.recentDecisions,
    snapshotMinutes: d.rollout.snapshotMinutes,
    webhook: d.rollout.webhook,
    alertOutbox: d.alertOutbox,
    recentEvents: (app, since) => signals.pipeline.recent(app, since),
    onKillsChange: (active) => {
      const g = signals.prometheus.activeKills;
      g.reset();
      for (const k of active) g.inc({ scope: k.scope });
    },
  });
  const telemetry = await createTelemetryFeature({
    db: d.db,
    coord: d.coord,
    audit: d.audit,
    clock: d.clock,
    logger: d.logger,
    config: d.telemetry,
    redact: d.dlp ? dlpRedactor(d.dlp) : undefined,
    responder: rollout.service.responder(),
    signals,
  });
  const sink = telemetry.pipeline;
  const decisionSink: DecisionSink = {
    record(decision, req) {
      sink.emit({
        kind: 'decision',
        time: decision.time,
        app: req.subject.app,
        appVersion: req.subject.appVersion,
        user: req.subject.user,
        model: req.resource.type === 'model' ? req.resource.id : undefined,
        connector: req.resource.type === 'connector' ? req.resource.id : undefined,
        dataset: req.resource.type === 'dataset' ? req.resource.id : undefined,
        ids: { decisionId: decision.id, ...(req.traceId ? { traceId: req.traceId } : {}) },
        attrs: {
          action: req.action,
          effect: decision.effect,
          outcome: decision.effect === 'allow' ? 'allowed' : 'denied',
          resourceType: req.resource.type,
          bundleRevision: decision.bundleRevision,
        },
      });
    },
  };
  return {
    telemetry,
    rollout,
    sink,
    decisionSink,
    gate: rollout.service,
    overlay: rollout.service.parts.caps,
    rollback: rollout.service.parts.rollback,
    signalFor: (ref) => rollout.service.parts.kills.signalFor(ref),
    routes: [...telemetry.routes, ...rollout.routes],
    mounts: telemetry.mounts,
    async close() {
      await telemetry.close();
      await rollout.close();
    },
  };
}
