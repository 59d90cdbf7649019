// Composition of the sandbox feature for src/main.ts: tiers, run tokens, bridge dependencies, the runner and its routes.
import { z } from 'zod';
import { TIERS, type AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type { CutSignalFor, Governor } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink, TelemetrySink } from '../core/sinks.js';
import type { DataFeature } from '../data/data-feature.js';
import { DatasetQuery } from '../connectors/dataset-query.js';
import type { OutboundScanner } from '../connectors/outbound-scanner.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { AppRunner, type RunRouter } from './app-runner.js';
import { ContainerTier } from './container-tier.js';
import type { LlmInvoker } from './llm-invoker.js';
import { MicrovmTier } from './microvm-tier.js';
import { RunTokens } from './run-token.js';
import { sandboxConfigSchema, type SandboxConfig } from './sandbox-config.js';
import type { SandboxTier, TierName } from './tier.js';
import { WasmTier } from './wasm-tier.js';

export interface SandboxFeatureDeps {
  apps: AppReader;
  catalog: CatalogReader;
  governor: Governor;
  audit: AuditSink;
  telemetry: TelemetrySink;
  clock: Clock;
  logger: Logger;
  /** GATEHOUSE_HOME: dataset source paths are relative to it. */
  home: string;
  /** ctx.llm.chat; wire the gateway with llmFromGateway(gateway.invokeModel). */
  llm?: LlmInvoker;
  /** DLP for outbound URL/headers/body and ctx.log lines; wire with scannerFromDlp(createDlpEngine(...)). */
  scanner?: OutboundScanner;
  config?: Partial<SandboxConfig>;
  /** The data layer (src/data): file datasets with masks, and DataSource datasets for ctx.data.query/sql. */
  data?: Pick<DataFeature, 'datasets' | 'sql'>;
  /** Cuts runs in flight when a kill switch lands on their app, version or user. */
  cutSignal?: CutSignalFor;
  /** Canary traffic split and run observation (src/canary). */
  router?: RunRouter;
}

export interface SandboxFeature {
  runner: AppRunner;
  tiers: Record<TierName, SandboxTier>;
  routes: AnyRoute[];
  /** Submit-time check (compile + tier available); the apps service can call it before storing a version. */
  precheck: AppRunner['precheck'];
  /** Tier availability with reasons (for `gatehouse app run` errors, status pages and admission). */
  tierStatus(): Promise<Record<TierName, { ok: boolean; reason?: string }>>;
  /** Stops the wasm tier's worker pool and the container tier's spare launcher. */
  close(): Promise<void>;
}

export const runBodySchema = z
  .object({
    input: z.unknown().optional(),
    user: z.string().min(1).optional(),
    version: z.number().int().positive().optional(),
  })
  .strict();

export function createSandboxFeature(d: SandboxFeatureDeps): SandboxFeature {
  const cfg = sandboxConfigSchema.parse(d.config ?? {});
  const wasm = new WasmTier({ minWorkers: cfg.wasmWorkers.min, maxWorkers: cfg.wasmWorkers.max });
  // Pre-warm: workers load the QuickJS module now, so the first run only pays for a runtime+context.
  wasm.warm().catch(() => undefined); // a failed start shows in available() and is retried there
  const container = new ContainerTier({ cacheDir: cfg.cacheDir });
  const tiers: Record<TierName, SandboxTier> = {
    wasm,
    container,
    microvm: new MicrovmTier(cfg.microvm),
  };
  const runner = new AppRunner({
    apps: d.apps,
    catalog: d.catalog,
    governor: d.governor,
    audit: d.audit,
    telemetry: d.telemetry,
    clock: d.clock,
    tiers,
    tokens: new RunTokens(d.clock),
    llm: d.llm,
    scanner: d.scanner,
    datasets: d.data?.datasets ?? new DatasetQuery(d.home),
    dataSql: d.data?.sql,
    defaultRowLimit: cfg.defaultRowLimit,
    defaultStatementTimeoutMs: cfg.defaultStatementTimeoutMs,
    maxResponseBytes: cfg.maxResponseBytes,
    bodyDlp: cfg.bodyDlp,
    rowDlp: cfg.rowDlp,
    maxLimits: { timeoutMs: cfg.maxTimeoutMs, memoryMb: cfg.maxMemoryMb, maxOutputBytes: cfg.maxOutputBytes },
    cutSignal: d.cutSignal,
    router: d.router,
  });
  const routes: AnyRoute[] = [
    defineRoute({
      method: 'post',
      path: '/api/v1/apps/:app/runs',
      summary: 'Run an app in its sandbox tier; returns output, run id and usage',
      response: z.object({
        runId: z.string(),
        app: z.string(),
        version: z.number().int(),
        tier: z.enum(TIERS),
        output: z.unknown().describe("what the app's main() returned"),
        usage: z.object({}).loose(),
      }),
      tag: 'sandbox',
      access: 'authenticated',
      body: runBodySchema,
      successStatus: 201,
      handler: async ({ params, body, principal }) => {
        // Running as another user is an operator action (admins only); everyone else runs as themselves.
        const user = body.user && principal.roles.includes('admin') ? body.user : principal.user;
        const r = await runner.run({ app: params.app, input: body.input ?? null, user, version: body.version });
        return r;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/sandbox/tiers',
      summary: 'Which sandbox tiers work on this host, and why not',
      response: z.object({
        tiers: z.record(z.string(), z.object({ ok: z.boolean(), reason: z.string().optional() })),
      }),
      tag: 'sandbox',
      access: 'authenticated',
      handler: async () => ({ tiers: await status() }),
    }),
  ];
  const status = async () => {
    const out = {} as Record<TierName, { ok: boolean; reason?: string }>;
    for (const [name, t] of Object.entries(tiers) as [TierName, SandboxTier][]) out[name] = await t.available();
    return out;
  };
  return {
    runner,
    tiers,
    routes,
    tierStatus: status,
    precheck: (c) => runner.precheck(c),
    close: async () => {
      await Promise.all([wasm.close(), container.close()]);
    },
  };
}
