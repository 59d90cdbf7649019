// Builds the rollout feature for the composition root: kill switches, caps, flags, snapshots, rollback, the
// combined gate and limit overlay for govern(), the alert responder, and the routes.
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { HealthReporter } from '../core/health.js';
import type { AuditSink, TelemetryEvent } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import { CapOverlay } from './caps.js';
import { FlagService } from './flags.js';
import { KillSwitches, type KillRecord } from './kill-switches.js';
import { RollbackService, type AppTransitions } from './rollback.js';
import { rolloutRoutes } from './rollout-routes.js';
import type { WebhookOutbox } from '../notify/webhook-outbox.js';
import { RolloutService, appManagers, approversNeeded, type AlertWebhookSettings } from './rollout-service.js';
import { ForensicSnapshots, type AuditEvidenceSource } from './snapshots.js';

export interface RolloutFeatureDeps {
  db: SqlDb;
  coord: Coordination;
  audit: AuditSink;
  clock: Clock;
  logger: Logger;
  apps?: Pick<AppReader, 'inForce' | 'latestVersion' | 'listVersions'>;
  catalog?: Pick<CatalogReader, 'dataset'>;
  /** Lifecycle transitions (src/approvals Lifecycle); rollback is off without it. */
  lifecycle?: AppTransitions;
  recentEvents: (app: string, sinceMs: number) => TelemetryEvent[];
  recentDecisions?: (app: string, sinceMs: number) => Promise<unknown[]>;
  bundleRevision?: () => string | undefined;
  evidence?: AuditEvidenceSource;
  snapshotMinutes?: number;
  webhook?: AlertWebhookSettings;
  alertOutbox?: WebhookOutbox;
  onKillsChange?: (active: readonly KillRecord[]) => void;
  health?: HealthReporter;
}

export interface RolloutFeature {
  service: RolloutService;
  routes: AnyRoute[];
  close(): Promise<void>;
}

export async function createRolloutFeature(deps: RolloutFeatureDeps): Promise<RolloutFeature> {
  const { db, coord, audit, clock, logger } = deps;
  const kills = new KillSwitches({
    db,
    coord,
    audit,
    clock,
    logger,
    approversNeeded: (s, t) => approversNeeded(deps, s, t),
    appManagers: (s, t) => appManagers(deps, s, t),
    onChange: deps.onKillsChange,
    health: deps.health,
  });
  const caps = new CapOverlay({ db, coord, audit, clock, logger, health: deps.health });
  const flags = new FlagService({ db, coord, audit, clock, logger, health: deps.health });
  const snapshots = new ForensicSnapshots({
    db,
    audit,
    clock,
    windowMs: (deps.snapshotMinutes ?? 15) * 60_000,
    sources: {
      apps: deps.apps,
      bundleRevision: deps.bundleRevision,
      recentEvents: deps.recentEvents,
      recentDecisions: deps.recentDecisions,
      evidence: deps.evidence,
      rolloutState: (app) => ({
        flags: flags.list(app),
        kills: kills.list(),
        caps: caps.list(),
      }),
    },
  });
  const rollback =
    deps.apps && deps.lifecycle
      ? new RollbackService({ db, apps: deps.apps, lifecycle: deps.lifecycle, snapshots, audit, clock })
      : undefined;
  const service = new RolloutService({
    kills,
    caps,
    flags,
    snapshots,
    rollback,
    apps: deps.apps,
    catalog: deps.catalog,
    clock,
    logger,
    webhook: deps.webhook,
    outbox: deps.alertOutbox,
  });
  await Promise.all([kills.start(), caps.start(), flags.start()]);
  return {
    service,
    routes: rolloutRoutes(service),
    async close() {
      await Promise.all([kills.stop(), caps.stop(), flags.stop()]);
    },
  };
}
