// Wiring of admission and approvals for the composition root: services, the submit hook, routes, the SLA timer.
import type { AppVersion } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type { Governor } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { AnyRoute } from '../http/route.js';
import type { NotifyConfig } from '../notify/notify-config.js';
import { WebhookNotifier, type Notifier } from '../notify/webhook-notifier.js';
import type { SqlDb } from '../store/sql-db.js';
import { AdmissionService } from '../admission/admission-service.js';
import type { PiiScanner } from '../admission/pii-scan.js';
import type { AdmissionHook } from '../admission/admission-types.js';
import type { ApprovalsConfig } from './approvals-config.js';
import { ApprovalService } from './approval-service.js';
import { approvalRoutes } from './approval-routes.js';
import type { Lifecycle } from '../apps/lifecycle.js';
import { SlaMonitor } from './sla-monitor.js';

/** The slice of the apps registry this module needs (AppRegistry satisfies it). */
export interface AppsPort {
  getVersion(app: string, version: number): Promise<AppVersion | undefined>;
  latestVersion(app: string): Promise<AppVersion | undefined>;
  inForce(app: string): Promise<AppVersion | undefined>;
  listVersions(app: string): Promise<AppVersion[]>;
  lifecycle: Lifecycle;
}

/** Who rejected a version and why (shown on GET /api/v1/apps/:app). */
export interface Rejection {
  by: string;
  comment: string;
  at: string | null;
  approvalId: string;
}

export interface ApprovalsModuleDeps {
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
  catalog: CatalogReader;
  apps: AppsPort;
  governor: Governor;
  pii: PiiScanner;
  approvals: ApprovalsConfig;
  notify: NotifyConfig;
  /** The webhook notifier (the composition root passes one with the outbox; tests pass fakes). */
  notifier?: Notifier;
}

export interface ApprovalsModule {
  /** The hook the apps service runs after storing each new version. */
  admission: AdmissionService & AdmissionHook;
  approvals: ApprovalService;
  lifecycle: Lifecycle;
  sla: SlaMonitor;
  notifier: Notifier;
  routes: AnyRoute[];
  /** The rejection of a version, if it was rejected (the apps routes take this reader). */
  rejectionOf(app: string, version: number): Promise<Rejection | undefined>;
  /** Starts the periodic SLA check. */
  start(): void;
  close(): Promise<void>;
}

export function createApprovalsModule(d: ApprovalsModuleDeps): ApprovalsModule {
  const lifecycle = d.apps.lifecycle;
  const notifier = d.notifier ?? new WebhookNotifier(d.notify, d.logger);
  const approvals = new ApprovalService({
    db: d.db,
    clock: d.clock,
    audit: d.audit,
    notifier,
    lifecycle,
    config: d.approvals,
    logger: d.logger,
  });
  const admission = new AdmissionService({
    governor: d.governor,
    catalog: d.catalog,
    pii: d.pii,
    approvals,
    apps: d.apps,
    config: d.approvals,
  });
  const admins = () =>
    d.catalog
      .list('User')
      .filter((u) => u.spec.roles.includes('admin'))
      .map((u) => u.metadata.name);
  const sla = new SlaMonitor({
    approvals,
    clock: d.clock,
    audit: d.audit,
    notifier,
    logger: d.logger,
    reminders: d.approvals.reminders,
    admins,
  });
  return {
    admission,
    approvals,
    lifecycle,
    sla,
    notifier,
    routes: approvalRoutes(approvals, admission, sla),
    async rejectionOf(app, version) {
      const rec = await approvals.store.forVersion(app, version);
      if (rec?.state !== 'rejected') return undefined;
      return {
        by: rec.decidedBy ?? 'system',
        comment: rec.comment ?? '',
        at: rec.decidedAt ? new Date(rec.decidedAt).toISOString() : null,
        approvalId: rec.id,
      };
    },
    start: () => sla.start(d.approvals.checkIntervalSeconds * 1000),
    async close() {
      await sla.stop();
      await notifier.drain();
    },
  };
}
