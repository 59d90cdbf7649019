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

/** The slice of the apps service this module needs (AppService satisfies it). */
export interface AppsPort {
  getVersion(app: string, version: number): Promise<AppVersion | undefined>;
  latestVersion(app: string): Promise<AppVersion | undefined>;
  inForce(app: string): Promise<AppVersion | undefined>;
  listVersions(app: string): Promise<AppVersion[]>;
  lifecycle: Lifecycle;
  setAdmissionHook(hook: AdmissionHook): void;
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
  /** Overrides the webhook notifier (tests). */
  notifier?: Notifier;
}

export interface ApprovalsModule {
  admission: AdmissionService;
  approvals: ApprovalService;
  lifecycle: Lifecycle;
  sla: SlaMonitor;
  notifier: Notifier;
  routes: AnyRoute[];
  /** Adds `latest.rejection {by, comment, at}` to GET /api/v1/apps/:app (the apps route stays unaware of approvals). */
  decorateRoutes(routes: AnyRoute[]): void;
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
  d.apps.setAdmissionHook(admission);
  return {
    admission,
    approvals,
    lifecycle,
    sla,
    notifier,
    routes: approvalRoutes(approvals, admission, sla),
    decorateRoutes(routes) {
      const show = routes.find((r) => r.method === 'get' && r.path === '/api/v1/apps/:app');
      if (!show) return;
      const inner = show.handler;
      show.handler = async (ctx) => {
        const out = (await inner(ctx)) as {
          latest?: { app?: string; version?: number; state?: string; rejection?: unknown };
        };
        const l = out?.latest;
        if (l?.app && l.version !== undefined && l.state === 'rejected') {
          const rec = await approvals.store.forVersion(l.app, l.version);
          if (rec?.state === 'rejected')
            l.rejection = {
              by: rec.decidedBy ?? 'system',
              comment: rec.comment ?? '',
              at: rec.decidedAt ? new Date(rec.decidedAt).toISOString() : null,
              approvalId: rec.id,
            };
        }
        return out;
      };
    },
    start: () => sla.start(d.approvals.checkIntervalSeconds * 1000),
    async close() {
      await sla.stop();
      await notifier.drain();
    },
  };
}
