// The host side of ctx: every call is checked against the manifest (deny by default), governed, carried out with
// obligations applied, and recorded (audit + telemetry, linked by run id). A deny reaches the guest as an error
// naming the policy.
import { z } from 'zod';
import type { CatalogReader, DatasetDoc } from '../catalog/catalog-schema.js';
import type { AppVersion } from '../apps/manifest-schema.js';
import type { Clock } from '../core/clock.js';
import { GatehouseError, InvalidInputError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import type { Decision, GovernInput, Governor } from '../core/governance.js';
import type { AuditSink, TelemetrySink } from '../core/sinks.js';
import { parseOrThrow } from '../core/validation.js';
import type { DatasetQuery } from '../connectors/dataset-query.js';
import { guardedFetch, type Resolver } from '../connectors/egress-guard.js';
import type { OutboundScanner } from '../connectors/outbound-scanner.js';
import type { LlmInvoker } from './llm-invoker.js';
import { hostAllowed, connectorFor } from './egress-scope.js';
import { declaredModel } from '../policy/scope.js';
import { dataQuery, dataSql, type DataCallDeps } from '../data/data-capability.js';
import type { DataSql } from '../data/data-sql.js';
import type { RunClaims, RunTokens } from './run-token.js';
import type { Bridge, CapabilityMethod } from './tier.js';

export interface BridgeDeps {
  governor: Governor;
  catalog: CatalogReader;
  audit: AuditSink;
  telemetry: TelemetrySink;
  clock: Clock;
  tokens: RunTokens;
  llm?: LlmInvoker;
  datasets?: DatasetQuery;
  /** ctx.data.sql and DataSource-backed ctx.data.query. */
  dataSql?: DataSql;
  /** Statement timeout when no policy obligation (statementTimeoutMs) sets a smaller one. */
  defaultStatementTimeoutMs?: number;
  scanner?: OutboundScanner;
  /** DNS resolver for egress (tests inject one; production uses the system resolver). */
  resolver?: Resolver;
  defaultRowLimit?: number;
  maxResponseBytes?: number;
  maxLogBytes?: number;
  /** Sensitive data in an outbound body: refuse (default) or mask. */
  bodyDlp?: 'block' | 'redact';
  /** DLP on query rows before the app sees them: mask findings (default) or pass rows through. */
  rowDlp?: 'redact' | 'off';
}

export interface RunScope {
  runId: string;
  traceId: string;
  user: string;
  version: AppVersion;
  token: string;
  claims: RunClaims;
  /** Datasets read from another document than the catalog's (a canary run's obfuscated copies), by name. */
  datasets?: Readonly<Record<string, DatasetDoc>>;
}

export interface BridgeUsage {
  capabilityCalls: number;
  denied: number;
  /** Outbound requests (ctx.http.fetch) refused by the manifest or a policy. */
  deniedEgress: number;
  costUsd: number;
  /** Model tokens (input + output) over the run's ctx.llm.chat calls. */
  tokens: number;
  byMethod: Record<string, number>;
}

const llmSchema = z
  .object({
    model: z.string().min(1),
    messages: z
      .array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict())
      .min(1)
      .max(500),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().positive().optional(),
  })
  .strict();
const fetchSchema = z
  .object({
    url: z.string(),
    init: z
      .object({
        method: z.string().optional(),
        headers: z.record(z.string(), z.string()).optional(),
        body: z.string().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
const logSchema = z.object({ args: z.array(z.unknown()).max(50) }).strict();

export class CapabilityBridge implements Bridge {
  readonly usage: BridgeUsage = { capabilityCalls: 0, denied: 0, deniedEgress: 0, costUsd: 0, tokens: 0, byMethod: {} };
  private disposed = false;
  private logBytes = 0;

  constructor(
    private readonly deps: BridgeDeps,
    private readonly scope: RunScope,
  ) {}

  /** Ends the run: later calls (a guest that kept a reference) are refused and audited. */
  dispose(): void {
    this.disposed = true;
    // Per-run database roles go with the run (the data layer's sweeper catches a crash).
    void this.deps.dataSql?.endRun(this.scope.runId).catch(() => undefined);
  }

  async call(method: CapabilityMethod, args: unknown): Promise<unknown> {
    const t0 = performance.now();
    this.usage.capabilityCalls++;
    this.usage.byMethod[method] = (this.usage.byMethod[method] ?? 0) + 1;
    let decision: Decision | undefined;
    let resource = '';
    try {
      if (this.disposed)
        throw new PolicyDeniedError(
          `ctx.${method} called after run ${this.scope.runId} ended; capabilities only work during a run`,
          { policy: 'run-lifetime' },
        );
      if (!this.deps.tokens.live(this.scope.claims))
        throw new PolicyDeniedError(`run token for ${this.scope.runId} has expired`, { policy: 'run-token' });
      let result: unknown;
      switch (method) {
        case 'log':
          result = this.log(args);
          return result;
        case 'llm.chat': {
          const req = parseOrThrow(llmSchema, args, 'ctx.llm.chat request');
          resource = req.model;
          const m = declaredModel(this.manifest, req.model);
          if (!m) this.manifestDeny(`model '${req.model}' is not declared in the app manifest (spec.models)`);
          if (!this.deps.llm) throw new UnavailableError('ctx.llm.chat is not wired on this server (no model gateway)');
          const caller = {
            user: this.scope.user,
            app: this.scope.version.app,
            appVersion: this.scope.version.version,
            runId: this.scope.runId,
            traceId: this.scope.traceId,
            token: this.scope.token,
          };
          const capped = { ...req };
          const manifestMax = minDefined(req.max_tokens, m?.maxOutputTokens);
          if (manifestMax !== undefined) capped.max_tokens = manifestMax;
          let out;
          if (this.deps.llm.governsItself) {
            // The gateway governs (caps, budgets, DLP) and records its own decision; one decision per call.
            out = await this.deps.llm.chat(capped, caller);
            await this.record('llm.chat', req.model, undefined, t0, undefined, out.decisionId);
          } else {
            decision = await this.govern(
              'model.invoke',
              { type: 'model', id: req.model },
              { temperature: req.temperature, maxOutputTokens: req.max_tokens, messages: req.messages.length },
            );
            const ob = decision.obligations;
            const maxOut = minDefined(capped.max_tokens, ob.maxOutputTokens);
            if (maxOut !== undefined) capped.max_tokens = maxOut;
            const maxTemp = minDefined(m?.temperature, ob.maxTemperature);
            if (maxTemp !== undefined && (capped.temperature ?? 1) > maxTemp) capped.temperature = maxTemp;
            out = await this.deps.llm.chat(capped, { ...caller, decision });
          }
          this.usage.costUsd += out.usage?.costUsd ?? 0;
          this.usage.tokens += (out.usage?.inputTokens ?? 0) + (out.usage?.outputTokens ?? 0);
          return out;
        }
        case 'data.query':
        case 'data.sql': {
          resource = String((args as { dataset?: unknown } | null)?.dataset ?? '');
          const r = await (method === 'data.sql' ? dataSql : dataQuery)(this.dataDeps(), args);
          if (this.deps.rowDlp !== 'off') this.maskRows(r.rows, resource);
          this.dataAccess(method, resource, r.rows.length, r.truncated, t0);
          return r;
        }
        case 'http.fetch': {
          const { url, init } = parseOrThrow(fetchSchema, args, 'ctx.http.fetch arguments');
          resource = safeHost(url);
          const res = await guardedFetch(
            url,
            init,
            {
              authorize: async (u) => {
                const conn = connectorFor(
                  this.manifest.connectors.map((c) => c.id),
                  this.deps.catalog,
                  u,
                );
                const target = { url: `${u.origin}${u.pathname}`, method: init.method ?? 'GET', host: u.host };
                // A use of a declared connector is a connector.call, governed with the connector's catalog attributes
                // (sensitive, approved, owner...), so connector policies such as deny_unapproved_connector run.
                if (conn) {
                  resource = conn.metadata.name;
                  decision = await this.govern('connector.call', { type: 'connector', id: conn.metadata.name }, target);
                  // An approved connector covers its own endpoints: no spec.egress entry, no separate net.egress.
                  if (conn.spec.approved) return { allowPrivateNetwork: conn.spec.allowPrivateNetwork };
                  if (!hostAllowed(this.manifest.egress, u))
                    this.manifestDeny(
                      `connector '${conn.metadata.name}' is not approved in the catalog, so its host '${u.host}' must be in the app manifest's spec.egress too`,
                    );
                } else if (!hostAllowed(this.manifest.egress, u))
                  this.manifestDeny(
                    `host '${u.host}' is not in the app manifest's spec.egress or a declared connector's endpoints`,
                  );
                // u.host keeps a non-default port, so a spec.egress `host:port` entry matches in govern() as it does here.
                decision = await this.govern(
                  'net.egress',
                  { type: 'host', id: u.host },
                  { ...target, connector: conn?.metadata.name },
                );
                return { allowPrivateNetwork: conn?.spec.allowPrivateNetwork ?? false };
              },
              maxResponseBytes: this.deps.maxResponseBytes ?? 1_000_000,
              bodyDlp: this.deps.bodyDlp,
            },
            this.deps.scanner,
            this.deps.resolver,
          );
          return res;
        }
        default:
          throw new InvalidInputError(`unknown capability '${String(method)}'`);
      }
    } catch (err) {
      if (err instanceof PolicyDeniedError) this.usage.denied++;
      if (err instanceof PolicyDeniedError && method === 'http.fetch') this.usage.deniedEgress++;
      await this.record(method, resource, decision, t0, err);
      throw err;
    }
  }

  private dataDeps(): DataCallDeps {
    const v = this.scope.version;
    return {
      manifest: this.manifest,
      catalog: overlayDatasets(this.deps.catalog, this.scope.datasets),
      datasets: this.deps.datasets,
      sql: this.deps.dataSql,
      defaultRowLimit: this.deps.defaultRowLimit ?? 1000,
      defaultTimeoutMs: this.deps.defaultStatementTimeoutMs ?? 10_000,
      run: { runId: this.scope.runId, expiresAt: this.scope.claims.exp * 1000 },
      govern: (action, resource, request) => this.govern(action, resource, request),
      manifestDeny: (m) => this.manifestDeny(m),
      audit: async (dataset, decision, summary) => {
        const ids = { runId: this.scope.runId, traceId: this.scope.traceId, decisionId: decision.id };
        await this.deps.audit
          .append({
            type: 'data.query',
            actor: this.scope.user,
            app: v.app,
            appVersion: v.version,
            ids,
            data: { dataset, ...summary },
          })
          .catch(() => undefined);
      },
    };
  }

  private get manifest() {
    return this.scope.version.manifest.spec;
  }

  private manifestDeny(message: string): never {
    throw new PolicyDeniedError(`${message}; denied by default (policy 'manifest')`, { policy: 'manifest' });
  }

  private async govern(
    action: GovernInput['action'],
    resource: GovernInput['resource'],
    request: Record<string, unknown>,
  ): Promise<Decision> {
    const v = this.scope.version;
    let decision: Decision;
    try {
      decision = await this.deps.governor.govern({
        action,
        subject: { user: this.scope.user, app: v.app, appVersion: v.version, run: this.scope.runId },
        resource,
        request,
        traceId: this.scope.traceId,
      });
    } catch {
      throw new PolicyDeniedError(`${action} on ${resource.id} refused: the policy engine failed (fail closed)`, {
        policy: 'fail-closed',
      });
    }
    if (decision.effect !== 'allow') {
      const names = decision.matched
        .filter((m) => m.mode === 'enforce' && m.effect !== 'allow' && m.effect !== 'warn' && m.effect !== 'limit')
        .map((m) => m.policy);
      const policy = names.join(', ') || 'default-deny';
      const what = decision.effect === 'require_approval' ? 'requires approval' : 'denied';
      const err = new PolicyDeniedError(
        `${action} on '${resource.id}' ${what} by policy '${policy}': ${decision.reason}`,
        { policy, decisionId: decision.id },
      );
      await this.record(methodFor(action), resource.id, decision, performance.now(), err);
      this.usage.denied++;
      throw Object.assign(err, { recorded: true });
    }
    await this.record(methodFor(action), resource.id, decision, performance.now(), undefined);
    return decision;
  }

  /**
   * One data.access event per governed query that returned rows (file and DataSource datasets alike): it feeds the
   * per-minute aggregates (per app, dataset and app>dataset edge: the data-flow map) and alert rules on rows_read.
   */
  private dataAccess(method: string, dataset: string, rows: number, truncated: boolean, t0: number): void {
    const v = this.scope.version;
    this.deps.telemetry.emit({
      kind: 'data.access',
      time: this.deps.clock.now(),
      app: v.app,
      appVersion: v.version,
      user: this.scope.user,
      dataset,
      ids: { runId: this.scope.runId, traceId: this.scope.traceId },
      metrics: { rows, latencyMs: performance.now() - t0 },
      attrs: { method, dataset, truncated },
    });
  }

  /** Masks sensitive values in string cells (architecture step 5: inspect what comes back). */
  private maskRows(rows: Record<string, unknown>[], dataset: string): void {
    const scanner = this.deps.scanner;
    if (!scanner) return;
    const found = new Set<string>();
    let cells = 0;
    for (const row of rows) {
      for (const [k, v] of Object.entries(row)) {
        if (typeof v !== 'string' || v === '') continue;
        const types = scanner.scan(v);
        if (types.length === 0) continue;
        types.forEach((t) => found.add(t));
        row[k] = scanner.redact ? scanner.redact(v) : `[${types[0]}]`;
        cells++;
      }
    }
    if (cells > 0) {
      const v = this.scope.version;
      this.deps.telemetry.emit({
        kind: 'dlp.detection',
        time: this.deps.clock.now(),
        app: v.app,
        appVersion: v.version,
        user: this.scope.user,
        dataset,
        ids: { runId: this.scope.runId, traceId: this.scope.traceId },
        metrics: { count: cells },
        attrs: { where: 'data.query', types: [...found].join(',') },
      });
    }
  }

  private log(args: unknown): null {
    const { args: parts } = parseOrThrow(logSchema, args, 'ctx.log arguments');
    let text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    const max = this.deps.maxLogBytes ?? 65_536;
    text = text.slice(0, 4096);
    if (this.logBytes + text.length > max) return null; // over the per-run budget: dropped, counted below
    this.logBytes += text.length;
    const found = this.deps.scanner?.scan(text) ?? [];
    if (found.length > 0)
      text = this.deps.scanner?.redact?.(text) ?? `[log withheld: contained ${[...new Set(found)].join(', ')}]`;
    const v = this.scope.version;
    this.deps.telemetry.emit({
      kind: 'app.log',
      time: this.deps.clock.now(),
      app: v.app,
      appVersion: v.version,
      user: this.scope.user,
      ids: { runId: this.scope.runId, traceId: this.scope.traceId },
      attrs: { message: text },
    });
    return null;
  }

  private async record(
    method: string,
    resource: string,
    decision: Decision | undefined,
    t0: number,
    err: unknown,
    externalDecisionId?: string,
  ): Promise<void> {
    if (err && (err as { recorded?: boolean }).recorded) return;
    const v = this.scope.version;
    const outcome = err ? (err instanceof PolicyDeniedError ? 'denied' : 'error') : 'allowed';
    const policy = err instanceof GatehouseError ? (err.extra.policy as string | undefined) : undefined;
    const decisionId = decision?.id ?? externalDecisionId;
    const ids = { runId: this.scope.runId, traceId: this.scope.traceId, ...(decisionId ? { decisionId } : {}) };
    this.deps.telemetry.emit({
      kind: 'capability',
      time: this.deps.clock.now(),
      app: v.app,
      appVersion: v.version,
      user: this.scope.user,
      ids,
      metrics: { latencyMs: performance.now() - t0 },
      attrs: { method, outcome, resource, ...(policy ? { policy } : {}) },
    });
    try {
      await this.deps.audit.append({
        type: 'sandbox.capability',
        actor: this.scope.user,
        app: v.app,
        appVersion: v.version,
        ids,
        data: {
          method,
          resource,
          outcome,
          effect: decision?.effect ?? null,
          policy: policy ?? null,
          reason: err instanceof Error ? err.message : (decision?.reason ?? null),
        },
      });
    } catch {
      /* the audit sink must not throw; if it does, the call's own outcome stands */
    }
  }
}

function methodFor(action: string): string {
  return action === 'model.invoke' ? 'llm.chat' : action === 'data.query' ? 'data.query' : 'http.fetch';
}

function minDefined(...xs: (number | undefined)[]): number | undefined {
  const d = xs.filter((x): x is number => typeof x === 'number');
  return d.length ? Math.min(...d) : undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

/** The catalog with some datasets answered from other documents (same columns and tags, another source). */
function overlayDatasets(
  catalog: CatalogReader,
  over: Readonly<Record<string, DatasetDoc>> | undefined,
): CatalogReader {
  if (!over) return catalog;
  return {
    dataset: (name) => (Object.hasOwn(over, name) ? over[name] : catalog.dataset(name)),
    connector: (name) => catalog.connector(name),
    model: (name) => catalog.model(name),
    user: (name) => catalog.user(name),
    list: (kind) => catalog.list(kind),
  };
}
