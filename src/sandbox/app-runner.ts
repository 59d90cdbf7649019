// Runs an app: finds the version in force, governs app.run, picks the manifest's tier, issues the run token, builds
// the bridge, runs, and records the run (audit start/finish + telemetry) linked by the run id.
import type { AppReader, AppVersion } from '../apps/manifest-schema.js';
import type { DatasetDoc } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { ConflictError, GatehouseError, NotFoundError, PolicyDeniedError, UnavailableError } from '../core/errors.js';
import type { CutSignalFor, Governor } from '../core/governance.js';
import { newId } from '../core/ids.js';
import type { AuditSink, TelemetrySink } from '../core/sinks.js';
import { bundleApp } from './app-bundle.js';
import { CapabilityBridge, type BridgeDeps, type BridgeUsage } from './capability-bridge.js';
import type { RunTokens } from './run-token.js';
import {
  AppRunError,
  DEFAULT_LIMITS,
  type RunLimits,
  type SandboxTier,
  type TierName,
  type TierUsage,
} from './tier.js';

export interface RunRequest {
  app: string;
  input: unknown;
  user: string;
  /** Run a specific version instead of the one in force (operators, canary replays and tests). */
  version?: number;
  /** Datasets to read from other documents (a canary replay's obfuscated copies), by dataset name. */
  datasets?: Readonly<Record<string, DatasetDoc>>;
}

/** What a finished run looked like, for the canary feature (replay store, live stage samples). */
export interface RunObservation {
  app: string;
  version: number;
  user: string;
  input: unknown;
  output: unknown;
  outcome: string;
  usage: RunUsage;
  /** True for runs the canary itself started (replays are never recorded as inputs again). */
  replay: boolean;
}

/** Lets a canary route a share of users to the candidate version and observe finished runs. */
export interface RunRouter {
  /** The version this user's run should use, or undefined for the one in force. */
  versionFor(app: string, user: string): number | undefined;
  observe(o: RunObservation): Promise<void>;
}

export interface RunUsage extends TierUsage, Omit<BridgeUsage, 'byMethod'> {
  byMethod: Record<string, number>;
}

export interface RunOutcome {
  runId: string;
  app: string;
  version: number;
  tier: TierName;
  output: unknown;
  usage: RunUsage;
}

export interface AppRunnerDeps extends Omit<BridgeDeps, 'tokens'> {
  apps: AppReader;
  tiers: Partial<Record<TierName, SandboxTier>>;
  tokens: RunTokens;
  governor: Governor;
  audit: AuditSink;
  telemetry: TelemetrySink;
  clock: Clock;
  /** Server ceilings; a manifest may ask for less, never more. */
  maxLimits?: Partial<RunLimits>;
  /** Cuts a run in flight when a kill switch lands on its app, version or user. */
  cutSignal?: CutSignalFor;
  /** Canary traffic split and run observation (src/canary). */
  router?: RunRouter;
}

export class AppRunner {
  private readonly bundles = new Map<string, Promise<string>>();
  constructor(private readonly deps: AppRunnerDeps) {}

  /** The compiled script for a version (cached by content hash; versions are immutable). */
  compile(v: AppVersion): Promise<string> {
    let b = this.bundles.get(v.hash);
    if (!b) {
      b = bundleApp(v.code, v.manifest.spec.runtime.entrypoint);
      b.catch(() => this.bundles.delete(v.hash));
      this.bundles.set(v.hash, b);
    }
    return b;
  }

  /**
   * For submit time: the code must compile (TypeScript included) and the manifest's tier must work on this host.
   * Throws InvalidInputError (compile error, with file:line) or UnavailableError ("<tier> tier unavailable ...").
   */
  async precheck(candidate: Pick<AppVersion, 'manifest' | 'code'>): Promise<void> {
    await bundleApp(candidate.code, candidate.manifest.spec.runtime.entrypoint);
    const tierName = candidate.manifest.spec.runtime.tier;
    const tier = this.deps.tiers[tierName];
    const a = tier ? await tier.available() : { ok: false, reason: 'not configured on this server' };
    if (!a.ok) throw new UnavailableError(`${tierName} tier unavailable on this host: ${a.reason}`);
  }

  limitsFor(v: AppVersion): RunLimits {
    const max = { ...DEFAULT_LIMITS, ...this.deps.maxLimits };
    const rt = v.manifest.spec.runtime;
    return {
      timeoutMs: Math.min(rt.timeoutMs ?? max.timeoutMs, max.timeoutMs),
      memoryMb: Math.min(rt.memoryMb ?? max.memoryMb, max.memoryMb),
      maxOutputBytes: max.maxOutputBytes,
    };
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const v = await this.resolve(req);
    const tierName = v.manifest.spec.runtime.tier;
    const tier = this.deps.tiers[tierName];
    const availability = tier ? await tier.available() : { ok: false, reason: 'not configured on this server' };
    if (!tier || !availability.ok)
      throw new UnavailableError(`${tierName} tier unavailable on this host: ${availability.reason}`);

    const runId = newId('run', this.deps.clock.now());
    const traceId = runId;
    const subject = { user: req.user, app: v.app, appVersion: v.version, run: runId };
    const decision = await this.deps.governor
      .govern({
        action: 'app.run',
        subject,
        resource: { type: 'app', id: v.app },
        request: { tier: tierName },
        traceId,
      })
      .catch(() => undefined);
    if (!decision || decision.effect !== 'allow') {
      const policy =
        decision?.matched
          .filter((m) => m.mode === 'enforce' && (m.effect === 'deny' || m.effect === 'require_approval'))
          .map((m) => m.policy)
          .join(', ') || (decision ? 'default-deny' : 'fail-closed');
      await this.audit(
        'app.run.denied',
        req.user,
        v,
        { runId, traceId, decisionId: decision?.id },
        { policy, reason: decision?.reason ?? 'policy engine failed' },
      );
      throw new PolicyDeniedError(
        `running app '${v.app}' version ${v.version} denied by policy '${policy}': ${decision?.reason ?? 'the policy engine failed (fail closed)'}`,
        { policy, runId, decisionId: decision?.id },
      );
    }
    const code = await this.compile(v);
    const limits = this.limitsFor(v);
    const { token, claims } = await this.deps.tokens.issue(
      { app: v.app, version: v.version, user: req.user, run: runId },
      limits.timeoutMs + 5_000,
    );
    const bridge = new CapabilityBridge(
      { ...this.deps, tokens: this.deps.tokens },
      { runId, traceId, user: req.user, version: v, token, claims, datasets: req.datasets },
    );
    await this.audit(
      'app.run.started',
      req.user,
      v,
      { runId, traceId, decisionId: decision.id },
      { tier: tierName, limits },
    );
    const t0 = performance.now();
    try {
      const signal = this.deps.cutSignal?.({ app: v.app, appVersion: v.version, user: req.user });
      const r = await tier.run(code, req.input, bridge, limits, signal);
      const usage: RunUsage = { ...r.usage, ...bridge.usage };
      await this.finish(req.user, v, runId, traceId, 'ok', usage, tierName);
      await this.observe(req, v, r.output, 'ok', usage);
      return { runId, app: v.app, version: v.version, tier: tierName, output: r.output, usage };
    } catch (err) {
      const usage: RunUsage = {
        cpuMs: 0,
        peakMemoryBytes: 0,
        wallMs: Math.round(performance.now() - t0),
        ...bridge.usage,
      };
      const outcome = err instanceof AppRunError ? err.failure : 'error';
      await this.observe(req, v, undefined, outcome, usage);
      await this.finish(
        req.user,
        v,
        runId,
        traceId,
        outcome,
        usage,
        tierName,
        err instanceof Error ? err.message : String(err),
      );
      if (err instanceof GatehouseError) {
        Object.assign(err.extra, { runId, usage });
        throw err;
      }
      throw new AppRunError('crashed', `app run ${runId} failed on the host; the server log has the details`, {
        runId,
      });
    } finally {
      bridge.dispose();
    }
  }

  private async observe(req: RunRequest, v: AppVersion, output: unknown, outcome: string, usage: RunUsage) {
    await this.deps.router
      ?.observe({
        app: v.app,
        version: v.version,
        user: req.user,
        input: req.input,
        output,
        outcome,
        usage,
        replay: req.datasets !== undefined,
      })
      .catch(() => undefined); // observation never changes a run's outcome
  }

  private async resolve(req: RunRequest): Promise<AppVersion> {
    const routed = req.version ?? this.deps.router?.versionFor(req.app, req.user);
    const v =
      routed !== undefined ? await this.deps.apps.getVersion(req.app, routed) : await this.deps.apps.inForce(req.app);
    if (v) return v;
    const latest = await this.deps.apps.latestVersion(req.app);
    if (!latest) throw new NotFoundError('App', req.app, 'see `gatehouse app list`');
    if (req.version !== undefined) throw new NotFoundError(`Version ${req.version} of app`, req.app);
    throw new ConflictError(
      `app '${req.app}' has no version that may run (latest is version ${latest.version}, ${latest.state}); get it approved (and released outside dev) first`,
    );
  }

  private async finish(
    user: string,
    v: AppVersion,
    runId: string,
    traceId: string,
    outcome: string,
    usage: RunUsage,
    tier: TierName,
    error?: string,
  ): Promise<void> {
    this.deps.telemetry.emit({
      kind: 'run',
      time: this.deps.clock.now(),
      app: v.app,
      appVersion: v.version,
      user,
      ids: { runId, traceId },
      metrics: {
        cpuMs: usage.cpuMs,
        wallMs: usage.wallMs,
        peakMemoryBytes: usage.peakMemoryBytes,
        capabilityCalls: usage.capabilityCalls,
        denied: usage.denied,
        costUsd: usage.costUsd,
      },
      attrs: { outcome, tier },
    });
    await this.audit(
      'app.run.finished',
      user,
      v,
      { runId, traceId },
      { outcome, tier, usage, ...(error ? { error: error.slice(0, 500) } : {}) },
    );
  }

  private async audit(
    type: string,
    actor: string,
    v: AppVersion,
    ids: { runId: string; traceId: string; decisionId?: string },
    data: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.audit.append({ type, actor, app: v.app, appVersion: v.version, ids, data });
    } catch {
      /* AuditSink.append must not throw; a failing sink does not change the run's outcome */
    }
  }
}
