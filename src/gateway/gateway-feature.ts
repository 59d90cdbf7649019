// Assembles the model gateway: credentials, budgets, upstream client, invoker, protocol surfaces, management
// routes, and the in-process invokeModel() the sandbox's ctx.llm.chat uses.
import type { Principal } from '../identity/principal.js';
import { isRunnable } from '../apps/lifecycle-states.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { newSecretToken } from '../core/ids.js';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { ForbiddenError } from '../core/errors.js';
import type { CutSignalFor, Governor } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import { nullAuditSink, nullTelemetrySink, type AuditSink, type TelemetrySink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { DlpEngine } from '../dlp/index.js';
import type { AnyRoute } from '../http/route.js';
import type { SqlDb } from '../store/sql-db.js';
import { mountAnthropic } from './anthropic-surface.js';
import { Budgets } from './budgets.js';
import { CallRecorder } from './call-records.js';
import { CostLedger } from './cost-ledger.js';
import { Credentials } from './credentials.js';
import { gatewayConfigSchema, type GatewayConfig } from './gateway-config.js';
import { gatewayRoutes } from './gateway-routes.js';
import type { ChatMessage, FinishReason, Usage } from './gateway-types.js';
import { ModelInvoker } from './model-invoker.js';
import { mountOpenAi } from './openai-surface.js';
import { mountModelInfo } from './model-info-surface.js';
import { Embedder, mountEmbeddings } from './embeddings.js';
import { mountResponses } from './responses-surface.js';
import { UpstreamClient } from './upstream-client.js';
import { DeploymentRouter } from './routing/deployment-router.js';
import { deploymentRoutes } from './routing/deployment-routes.js';
import { BudgetOutageShare, type BudgetShareSettings } from './budget-outage-share.js';
import { ModelKeys } from './model-keys.js';
import { modelKeyRoutes } from './model-key-routes.js';

export interface GatewayFeatureDeps {
  db: SqlDb;
  coord: Coordination;
  governor: Governor;
  apps: AppReader;
  catalog: CatalogReader;
  dlp?: DlpEngine;
  audit?: AuditSink;
  telemetry?: TelemetrySink;
  clock: Clock;
  logger: Logger;
  /** GATEHOUSE_HOME: the model-key seal key, provider key files (model-keys/<model>) and the session key live here. */
  home: string;
  env: Record<string, string | undefined>;
  config?: Partial<GatewayConfig>;
  maxBodyBytes: number;
  /** Cuts in-flight streams when a kill switch lands on their app, version, user or model. */
  cutSignal?: CutSignalFor;
  /** Resolves platform identities (IdP JWTs, API tokens) so users can call models as themselves. */
  identity?: (token: string) => Promise<Principal | undefined>;
  /** Uniform random source of deployment routing (seeded in tests); default Math.random. */
  routingRandom?: () => number;
  /** coordination.outage.budgetShare: a local share of each budget while Redis is away (absent: fail closed). */
  budgetShare?: BudgetShareSettings;
}

/** Input of the in-process call (sandbox ctx.llm.chat): same enforcement as the HTTP surfaces, no HTTP hop. */
export interface InvokeModelInput {
  app: string;
  /** The running version (must be approved, canary or released); default: the version in force. */
  appVersion?: number;
  user: string;
  session?: string;
  runId?: string;
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  traceId?: string;
}

export interface InvokeModelResult {
  text: string;
  model: string;
  finishReason: FinishReason;
  usage: Usage;
  costUsd: number;
  decisionId: string;
}

export interface GatewayFeature {
  routes: AnyRoute[];
  /** Mounts POST /v1/chat/completions, GET /v1/models and POST /v1/messages. */
  mount(app: Hono): void;
  invokeModel(input: InvokeModelInput): Promise<InvokeModelResult>;
  credentials: Credentials;
  /** Provider keys per model (sealed in the store, rotatable at run time). */
  modelKeys: ModelKeys;
  ledger: CostLedger;
  /** Stores buffered cost rows now (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

function sessionSecret(home: string, config: GatewayConfig, env: Record<string, string | undefined>): Uint8Array {
  const given = config.sessionSecret ?? env.GATEHOUSE_SESSION_SECRET;
  if (given) return new TextEncoder().encode(given);
  const file = join(home, 'gateway-session.key');
  if (!existsSync(file)) {
    mkdirSync(home, { recursive: true });
    writeFileSync(file, newSecretToken('', 32), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}

export async function createGatewayFeature(d: GatewayFeatureDeps): Promise<GatewayFeature> {
  const config = gatewayConfigSchema.parse(d.config ?? {});
  const ledger = new CostLedger(d.db, d.logger);
  const credentials = new Credentials({
    db: d.db,
    apps: d.apps,
    coord: d.coord,
    clock: d.clock,
    sessionSecret: sessionSecret(d.home, config, d.env),
    maxSessionTtlSeconds: config.maxSessionTtlSeconds,
    identity: d.identity,
    audit: d.audit,
    trustedProxies: config.trustedProxies,
  });
  await credentials.start();
  const modelKeys = new ModelKeys({
    db: d.db,
    coord: d.coord,
    clock: d.clock,
    home: d.home,
    env: d.env,
    audit: d.audit ?? nullAuditSink,
    logger: d.logger,
    catalog: d.catalog,
  });
  await modelKeys.start();
  const upstream = new UpstreamClient({
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.retries,
    retryBaseMs: config.retryBaseMs,
    breakerFailures: config.breakerFailures,
    breakerHalfOpenMs: config.breakerHalfOpenMs,
    deadlineMs: config.deadlineMs,
  });
  const recorder = new CallRecorder(
    d.audit ?? nullAuditSink,
    d.telemetry ?? nullTelemetrySink,
    ledger,
    d.logger,
    () => d.clock.now(),
    config.auditBatchMs,
    config.auditDurability,
  );
  const share = d.budgetShare && new BudgetOutageShare(d.coord, d.clock, d.budgetShare, d.logger);
  const budgets = new Budgets(d.coord, d.clock, share);
  // Counters live in the coordination store; the ledger is durable, so today's spend survives a restart.
  await budgets.restore(ledger);
  const router = new DeploymentRouter({
    coord: d.coord,
    circuitOpen: (u) => upstream.circuitOpen(u),
    circuitState: (u) => upstream.circuitState(u),
    random: d.routingRandom,
    now: () => d.clock.now(),
  });
  const invokerDeps = {
    governor: d.governor,
    catalog: d.catalog,
    budgets,
    upstream,
    router,
    dlp: d.dlp,
    recorder,
    clock: d.clock,
    config,
    providerKey: (m: Parameters<ModelKeys['resolve']>[0]) => modelKeys.resolve(m),
    cutSignal: d.cutSignal,
  };
  const invoker = new ModelInvoker(invokerDeps);
  const embedder = new Embedder(invokerDeps);
  const surface = { credentials, invoker, catalog: d.catalog, maxBodyBytes: d.maxBodyBytes, logger: d.logger };
  return {
    routes: [
      ...gatewayRoutes({ credentials, ledger, apps: d.apps }, () => d.clock.now()),
      ...deploymentRoutes(router, d.catalog),
      ...modelKeyRoutes(modelKeys),
    ],
    mount(app) {
      mountOpenAi(app, surface);
      mountAnthropic(app, surface);
      mountModelInfo(app, surface, config.anthropicTokenFactor);
      mountEmbeddings(app, surface, embedder);
      mountResponses(app, surface);
    },
    async invokeModel(input) {
      const version =
        input.appVersion === undefined
          ? await credentials.inForce(input.app)
          : await d.apps.getVersion(input.app, input.appVersion);
      if (!version || !isRunnable(version.state))
        throw new ForbiddenError(
          `App '${input.app}'${input.appVersion ? ` version ${input.appVersion}` : ''} may not call models: it is ${version ? version.state : 'not in force'}.`,
        );
      const inv = await invoker.invoke(
        { app: input.app, version, user: input.user, session: input.session, runId: input.runId, via: 'internal' },
        {
          model: input.model,
          messages: input.messages,
          maxTokens: input.maxTokens,
          temperature: input.temperature,
          stream: false,
        },
        input.traceId,
      );
      const r = inv.result!;
      return {
        text: r.text,
        model: inv.model,
        finishReason: r.finishReason,
        usage: r.usage,
        costUsd: r.costUsd,
        decisionId: inv.decisionId,
      };
    },
    credentials,
    modelKeys,
    ledger,
    flush: () => {
      recorder.flushAudit();
      return ledger.flush();
    },
    async close() {
      recorder.flushAudit();
      await credentials.stop();
      await modelKeys.stop();
      await ledger.close();
      await upstream.close();
    },
  };
}
