// Composition root: config → store → coordination → services → HTTP routes. The only place wiring happens.
import { VERSION } from './core/version.js';
import { HealthBoard } from './core/health.js';
import type { AuditSink } from './core/sinks.js';
import { AuditLog } from './audit/audit-log.js';
import { auditRoutes } from './audit/audit-routes.js';
import { DecisionAuditSink } from './audit/decision-audit-sink.js';
import { CatalogService } from './catalog/catalog-service.js';
import { catalogRoutes } from './catalog/catalog-routes.js';
import { AppRegistry } from './apps/app-registry.js';
import { AppService } from './apps/app-service.js';
import { appRoutes } from './apps/app-routes.js';
import { doctorRoutes } from './doctor/doctor-routes.js';
import { gatewaySurfaceDocs } from './gateway/surface-docs.js';
import { metricsRouteDoc } from './telemetry/prometheus-metrics.js';
import type { Hono } from 'hono';
import { seedExamples } from './seed/seed-examples.js';
import type { GatehouseConfig } from './feature-registry.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import type { Coordination } from './coord/coordination.js';
import { buildApp, listen, type RunningServer } from './http/server.js';
import type { AnyRoute } from './http/route.js';
import type { Principal } from './identity/principal.js';
import { ensureAdminToken, type TokenService } from './identity/token-service.js';
import { createIdentity } from './identity/identity-feature.js';
import { allMigrations } from './feature-registry.js';
import { openDb } from './store/open-db.js';
import { migrate, type SqlDb } from './store/sql-db.js';
import type { Governor } from './core/governance.js';
import { createGovernor } from './govern/governor.js';
import { createPolicyFeature, type PolicyFeature } from './policy/policy-feature.js';
import { createApprovalsModule, type ApprovalsModule } from './approvals/approvals-module.js';
import { createObservability, type Observability } from './rollout/observability.js';
import { createCanaryFeature, createCanaryRouting, type CanaryFeature } from './canary/canary-feature.js';
import { createDlpEngine } from './dlp/index.js';
import { openSealedVault } from './dlp/sealed-vault.js';
import { createGatewayFeature, type GatewayFeature } from './gateway/gateway-feature.js';
import { createSandboxFeature, type SandboxFeature } from './sandbox/sandbox-feature.js';
import { llmFromGateway } from './sandbox/gateway-llm.js';
import { createDataFeature } from './data/data-feature.js';
import { dataRoutes } from './data/data-routes.js';
import { scannerFromDlp } from './connectors/outbound-scanner.js';
import { createCoordination } from './coord/create-coordination.js';
import { WebhookOutbox } from './notify/webhook-outbox.js';
import { StoreGate } from './store/store-gate.js';
import { gateChain } from './govern/gate-chain.js';
import { WebhookNotifier, notifyPolicyFor } from './notify/webhook-notifier.js';
import { alertWebhookPolicy } from './rollout/rollout-service.js';
import { Releases } from './rollout/release.js';
import { releaseRoutes } from './rollout/release-routes.js';
import { consoleMount } from './console/console-mount.js';

export { VERSION };

export interface GatehouseOptions {
  clock?: Clock;
  logger?: Logger;
  /** PostgreSQL schema to use (tests isolate themselves with one). */
  pgSchema?: string;
}

export interface Gatehouse {
  config: GatehouseConfig;
  db: SqlDb;
  coord: Coordination;
  clock: Clock;
  logger: Logger;
  routes: AnyRoute[];
  catalog: CatalogService;
  apps: AppService;
  tokens: TokenService;
  audit: AuditSink;
  /** The verifiable audit log behind `audit` (proofs, checkpoints, hashSensitive). */
  auditLog: AuditLog;
  adminToken: string;
  /** The one decision path: every enforcement point calls governor.govern(input). */
  governor: Governor;
  policy: PolicyFeature;
  /** Admission (checks, risk) and approvals (quorum, SLAs, webhooks); the apps service calls it on submit. */
  approvals: ApprovalsModule;
  /** Model gateway: /v1 OpenAI/Anthropic surfaces, app keys, sessions, costs; invokeModel() for ctx.llm.chat. */
  gateway: GatewayFeature;
  /** Sandboxed runtime: `app run`, POST /api/v1/apps/:app/runs, tiers behind one contract, the capability bridge. */
  sandbox: SandboxFeature;
  /** Telemetry (sink, /metrics, OTLP, alert rules) and rollout (kill switches, caps, flags, rollback, snapshots). */
  observability: Observability;
  canary: CanaryFeature;
  /** Problems features recovered from but operators should see (/healthz). */
  health: HealthBoard;
  authenticate(token: string): Promise<Principal | undefined>;
  /** Starts HTTP on the configured host/port (port 0 picks a free one). */
  /** The HTTP app (typed routes, raw mounts, /healthz, /api/openapi.json) listen() serves. */
  httpApp(): Hono;
  listen(): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function createGatehouse(config: GatehouseConfig, opts: GatehouseOptions = {}): Promise<Gatehouse> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const health = new HealthBoard();
  const coord: Coordination = createCoordination(config, { clock, logger, health });
  const db = await openDb({ home: config.home, databaseUrl: config.databaseUrl, schema: opts.pgSchema });
  await migrate(db, allMigrations);
  // Governed actions are refused (503 at the gateway) while the store does not answer, so none goes unrecorded.
  const storeGate = new StoreGate({ db, description: db.description, health, logger });
  storeGate.start();
  const auditLog = await AuditLog.open({ db, home: config.home, config: config.audit, clock, logger });
  const audit: AuditSink = auditLog;
  // One DLP engine (and one tokenization vault) for every feature, so a token minted by one can be restored by another.
  // Persisted sealed in GATEHOUSE_HOME so a restart still restores tokens it handed out (fails closed: see the file).
  const vault = config.dlp.vault.persist
    ? openSealedVault({ home: config.home, retentionMs: config.dlp.vault.retention, now: () => clock.now() })
    : undefined;
  const dlp = createDlpEngine(config.dlp, { vault });

  // Foundation: catalog, identity, and the apps registry every later feature reads apps (and their lifecycle) from.
  const catalog = new CatalogService({ db, clock, audit, coord, logger });
  await catalog.start();
  const adminToken = ensureAdminToken(config.home, config.adminToken);
  const identity = createIdentity({ config: config.identity, db, clock, logger, audit, catalog, adminToken });
  const tokens = identity.tokens;
  const registry = new AppRegistry({ db, clock, audit, coord });
  await registry.start();
  // Policy engine and its decision log: govern() step 3 and its first sink.
  const policy = await createPolicyFeature({ db, clock, logger, audit, coord, config: config.policy });
  // Telemetry and rollout: kill switches and flags gate govern() (step 2), caps merge into its allowed decisions.
  // Webhook outboxes: notifications that fail (receiver down, process died mid-send) are retried after restarts.
  const alertOutbox = new WebhookOutbox({
    db,
    clock,
    logger,
    kind: 'alert',
    policyFor: () => alertWebhookPolicy(config.rollout.webhook),
  });
  const notifyOutbox = new WebhookOutbox({
    db,
    clock,
    logger,
    kind: 'notify',
    policyFor: notifyPolicyFor(config.notify),
  });
  alertOutbox.start();
  notifyOutbox.start();
  const observability = await createObservability({
    alertOutbox,
    health,
    db,
    coord,
    audit,
    evidence: auditLog,
    clock,
    logger,
    telemetry: config.telemetry,
    rollout: config.rollout,
    apps: registry,
    catalog,
    lifecycle: registry.lifecycle,
    dlp,
    bundleRevision: () => policy.engine.activeRevision,
    recentDecisions: (app, since) => policy.decisionLog.query({ app, since, limit: 500 }),
    counters: [
      {
        name: 'gatehouse_decision_log_dropped_total',
        help: 'Decisions the decision log dropped (buffer full or store failing); refusals are never dropped',
        read: () => policy.decisionLog.dropped,
      },
    ],
  });
  // The one decision path, built from everything it consults (docs/CONTRIBUTING.md draws it).
  const governor = createGovernor({
    catalog,
    apps: registry,
    engine: policy.engine,
    gate: gateChain(storeGate, observability.gate),
    overlay: observability.overlay,
    sinks: [
      policy.decisionLog,
      observability.decisionSink,
      new DecisionAuditSink({ audit: auditLog, hash: (v) => auditLog.hashSensitive(v), logger }),
    ],
    clock,
    logger,
  });
  // One webhook notifier (approvals, canary outcomes) over the durable notify outbox.
  const notifier = new WebhookNotifier(config.notify, logger, undefined, notifyOutbox);
  // Admission and approvals: run on every new version; approval routes; SLA reminders/escalations on a timer.
  const approvals = createApprovalsModule({
    db,
    clock,
    logger,
    audit,
    catalog,
    apps: registry,
    governor,
    pii: dlp,
    approvals: config.approvals,
    notify: config.notify,
    notifier,
  });
  approvals.start();
  // Model gateway: every model call goes through governor.govern(), budgets on coord, records to audit.
  const gateway = await createGatewayFeature({
    db,
    coord,
    governor,
    apps: registry,
    catalog,
    dlp,
    audit,
    telemetry: observability.sink,
    clock,
    logger,
    home: config.home,
    env: process.env,
    config: config.gateway,
    maxBodyBytes: config.server.maxBodyBytes,
    cutSignal: observability.signalFor,
    identity: identity.authenticate,
    budgetShare: config.coordination.outage.budgetShare,
  });
  // Governed data access (src/data): DataSource engines behind ctx.data.query/sql; credentials stay in the env.
  const data = createDataFeature({
    sources: catalog,
    list: () => catalog.list('DataSource'),
    home: config.home,
    env: process.env,
    audit,
  });
  // Per-run database users left by a crash or kill (their server's owner lock is free) or past their run's deadline
  // are dropped now and every minute.
  data.startSweeper(
    () => clock.now(),
    60_000,
    (err) => logger.warn('data: run credential sweep failed', { error: err.message }),
  );
  // Canary routing: live-stage traffic split and the replay store of inputs, observed on every finished run.
  const canaryRouting = createCanaryRouting({
    db,
    clock,
    audit,
    apps: registry,
    dlp,
    hash: (text) => auditLog.hashSensitive(text),
    flags: observability.rollout.service.parts.flags,
    config: config.canary,
  });
  // Sandboxed runtime: app code runs in its manifest's tier; ctx.* calls go through the bridge → governor.govern().
  const sandbox = createSandboxFeature({
    apps: registry,
    catalog,
    governor,
    audit,
    telemetry: observability.sink,
    clock,
    logger,
    home: config.home,
    config: config.sandbox,
    llm: llmFromGateway((i) => gateway.invokeModel(i)),
    scanner: scannerFromDlp(dlp),
    data,
    cutSignal: observability.signalFor,
    router: canaryRouting.traffic,
  });
  // Submission: the code must compile for a tier this host runs, then admission decides what happens next.
  const apps = new AppService({
    registry,
    db,
    clock,
    catalog,
    audit,
    precheck: (candidate) => sandbox.precheck(candidate),
    admission: approvals.admission,
  });
  const releases = new Releases({ apps: registry, lifecycle: registry.lifecycle });
  // Canary releases: replay on obfuscated data, live stages, analysis gate (docs/canary.md).
  const canary = await createCanaryFeature({
    routing: canaryRouting,
    db,
    clock,
    logger,
    audit,
    apps: registry,
    catalog,
    releases,
    lifecycle: registry.lifecycle,
    snapshots: observability.rollout.service.parts.snapshots,
    runner: sandbox.runner,
    home: config.home,
    sources: data.sources,
    notifier,
    cutSignal: observability.signalFor,
    config: config.canary,
  });
  const routes: AnyRoute[] = [
    ...identity.routes,
    ...catalogRoutes(catalog),
    ...dataRoutes(data.sources, scannerFromDlp(dlp).scan),
    ...appRoutes(apps, { rejectionOf: (app, version) => approvals.rejectionOf(app, version) }),
    ...auditRoutes(auditLog),
    ...policy.routes,
    ...observability.routes,
    ...approvals.routes,
    ...releaseRoutes(releases),
    ...canary.routes,
    ...gateway.routes,
    ...sandbox.routes,
    ...doctorRoutes({
      clock,
      home: config.home,
      serverHost: config.server.host,
      doctor: config.doctor,
      slaHours: config.approvals.slaHours,
      otlpEndpoint: config.telemetry.otlp.endpoint,
      witness: { file: config.audit.witnessFile, url: config.audit.witnessUrl },
      catalog,
      apps: registry,
      policySelfTest: () => policy.engine.selfTest(),
      pendingApprovals: () => approvals.approvals.store.pendingWithDeadline(),
      alertRules: () => observability.telemetry.alerts.list(),
      audit: auditLog,
      lastKillAt: () => observability.rollout.service.parts.kills.lastSetAt(),
      adminTokensWithoutExpiry: () => tokens.withoutExpiry('admin'),
    }),
  ];
  const authenticate = identity.authenticate;

  if (config.seedExamples)
    await seedExamples({
      db,
      home: config.home,
      catalog,
      apps,
      logger,
      extraSteps: [async (actor) => void (await policy.seed(actor.user))],
    });

  const httpApp = () =>
    buildApp({
      routes,
      authenticate,
      maxBodyBytes: config.server.maxBodyBytes,
      logger,
      version: VERSION,
      health: () => health.status(),
      authenticateSession: identity.authenticateSession,
      // The web console at / calls the routes above in-process with the user's token (src/console).
      mounts: [
        (a) => gateway.mount(a),
        ...identity.mounts,
        ...observability.mounts,
        consoleMount({ authenticateSession: identity.authenticateSession }),
      ],
      docs: [...gatewaySurfaceDocs, metricsRouteDoc, ...identity.docs],
    });
  let server: RunningServer | undefined;
  return {
    config,
    db,
    coord,
    clock,
    logger,
    routes,
    catalog,
    apps,
    tokens,
    audit,
    auditLog,
    adminToken,
    authenticate,
    health,
    governor,
    policy,
    approvals,
    gateway,
    sandbox,
    observability,
    httpApp,
    canary,
    async listen() {
      server = await listen(httpApp(), config.server.host, config.server.port, config.server);
      return server;
    },
    async close() {
      await server?.close();
      canary.close();
      alertOutbox.stop();
      storeGate.stop();
      notifyOutbox.stop();
      await sandbox.close();
      await data.close();
      await approvals.close();
      await gateway.close();
      await observability.close();
      await policy.close();
      await catalog.stop();
      await auditLog.close();
      vault?.close();
      await coord.close();
      await db.close();
    },
  };
}
