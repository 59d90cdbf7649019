// The policy engine as a service: holds the active compiled bundle, applies/activates revisions, evaluates and simulates.
import type { Clock } from '../core/clock.js';
import { InvalidInputError } from '../core/errors.js';
import type { Decision, GovernanceRequest } from '../core/governance.js';
import type { Logger } from '../core/logger.js';
import type { AuditSink } from '../core/sinks.js';
import type { Coordination } from '../coord/coordination.js';
import type { CostLimits } from './cel-env.js';
import { compileBundle, type CompiledBundle, type PolicyFile } from './compiler.js';
import type { DecisionLog } from './decision-log.js';
import { newId } from '../core/ids.js';
import { PolicyEvaluator } from './evaluator.js';
import type { Activation, PolicyStore } from './policy-store.js';
import { simulate, type SimulationReport, type SimulationSample } from './simulate.js';
import { runPolicyTests } from './test-runner.js';

const CHANNEL = 'policy.activated';

export interface PolicyServiceDeps {
  store: PolicyStore;
  decisionLog: DecisionLog;
  clock: Clock;
  logger: Logger;
  limits: CostLimits;
  audit?: AuditSink;
  coord?: Coordination;
}

export interface ApplyResult {
  revision: string;
  policies: number;
  tests: number;
  /** False when the bundle's revision was already active. */
  activated: boolean;
  previous: string | null;
}

const EMPTY_BUNDLE: CompiledBundle = { revision: 'none', hash: '', policies: [], tests: [] };

export class PolicyService {
  private evaluator: PolicyEvaluator;
  /** Set when the stored active revision cannot be compiled: every decision is then a deny (fail closed). */
  private loadError: string | undefined;
  private failedRevision = '';
  private unsubscribe: (() => Promise<void>) | undefined;

  readonly store: PolicyStore;

  constructor(private readonly deps: PolicyServiceDeps) {
    this.store = deps.store;
    this.evaluator = this.makeEvaluator(EMPTY_BUNDLE);
  }

  private makeEvaluator(bundle: CompiledBundle): PolicyEvaluator {
    return new PolicyEvaluator(bundle, { now: () => this.deps.clock.now() });
  }

  get activeRevision(): string {
    return this.evaluator.revision;
  }

  get policyCount(): number {
    return this.evaluator.size;
  }

  compile(files: readonly PolicyFile[]): CompiledBundle {
    return compileBundle(files, this.deps.limits);
  }

  /** Loads the active revision from the store and follows activations made by other replicas. */
  async init(): Promise<void> {
    await this.reload();
    if (this.deps.coord)
      this.unsubscribe = await this.deps.coord.subscribe(CHANNEL, (rev) => {
        if (rev !== this.evaluator.revision) void this.reload();
      });
  }

  async reload(): Promise<void> {
    const rev = await this.deps.store.activeRevision();
    if (!rev) return;
    try {
      const stored = await this.deps.store.getRevision(rev);
      this.evaluator = this.makeEvaluator(this.compile(stored.files));
      this.loadError = undefined;
    } catch (err) {
      this.loadError = `active policy revision ${rev} failed to load: ${(err as Error).message}`;
      this.failedRevision = rev;
      this.deps.logger.error('policy bundle failed to load; denying every decision', {
        revision: rev,
        error: (err as Error).message,
      });
    }
  }

  /** The decision for a request under the active bundle (pure; recording is the caller's job). */
  decide(req: GovernanceRequest): Decision {
    if (this.loadError) return this.denyAll(this.loadError);
    return this.evaluator.decide(req);
  }

  private denyAll(reason: string): Decision {
    const time = this.deps.clock.now();
    return {
      id: newId('dec', time),
      time,
      effect: 'deny',
      reason,
      errors: [reason],
      matched: [],
      obligations: {},
      warnings: [],
      bundleRevision: this.failedRevision,
    };
  }

  /** Runs the active revision's own tests again under the engine running now (`gatehouse doctor` reports it). */
  async selfTest(): Promise<{
    revision: string;
    policies: number;
    tests: number;
    failed: string[];
    loadError?: string;
  }> {
    if (this.loadError)
      return { revision: this.failedRevision, policies: 0, tests: 0, failed: [], loadError: this.loadError };
    const rev = await this.deps.store.activeRevision();
    if (!rev) return { revision: 'none', policies: 0, tests: 0, failed: [] };
    const bundle = this.compile((await this.deps.store.getRevision(rev)).files);
    const results = runPolicyTests(bundle, () => this.deps.clock.now());
    return {
      revision: rev,
      policies: bundle.policies.length,
      tests: results.length,
      failed: results.filter((r) => !r.passed).map((r) => `${r.file}: ${r.name}`),
    };
  }

  /** Validates (schema, CEL types, cost, the bundle's own tests), stores the revision and activates it. */
  async apply(files: readonly PolicyFile[], actor: string): Promise<ApplyResult> {
    const bundle = this.compile(files);
    const failed = runPolicyTests(bundle, () => this.deps.clock.now()).filter((r) => !r.passed);
    if (failed.length > 0) {
      throw new InvalidInputError(
        `Policy bundle not applied: ${failed.length} of ${bundle.tests.length} policy tests fail (first: ${failed[0].name}); run \`gatehouse policy test <dir>\` for the diffs.`,
        failed.map((f) => ({ path: `${f.file}: ${f.name}`, message: f.diff ?? 'failed' })),
      );
    }
    await this.deps.store.saveRevision(bundle, files, actor, this.deps.clock.now());
    const current = await this.deps.store.activeRevision();
    const base = { revision: bundle.revision, policies: bundle.policies.length, tests: bundle.tests.length };
    if (current === bundle.revision) return { ...base, activated: false, previous: current };
    const act = await this.activateCompiled(bundle, actor);
    return { ...base, activated: true, previous: act.previous };
  }

  /** Re-activates a stored revision (after compiling it again under the current engine). */
  async activate(revision: string, actor: string): Promise<Activation> {
    const stored = await this.deps.store.getRevision(revision);
    return this.activateCompiled(this.compile(stored.files), actor);
  }

  private async activateCompiled(bundle: CompiledBundle, actor: string): Promise<Activation> {
    const act = await this.deps.store.activate(bundle.revision, actor, this.deps.clock.now());
    this.evaluator = this.makeEvaluator(bundle);
    this.loadError = undefined;
    this.deps.logger.info('policy revision activated', { revision: bundle.revision, previous: act.previous, actor });
    if (this.deps.audit) {
      try {
        await this.deps.audit.append({
          type: 'policy.activated',
          actor,
          data: {
            revision: bundle.revision,
            hash: bundle.hash,
            previous: act.previous,
            policies: bundle.policies.map((p) => p.name),
          },
        });
      } catch (err) {
        this.deps.logger.error('audit append for policy activation failed', {
          revision: bundle.revision,
          error: (err as Error).message,
        });
      }
    }
    await this.deps.coord?.publish(CHANNEL, bundle.revision);
    return act;
  }

  /** Replays recorded decision inputs against a candidate bundle and reports what would change. */
  async simulate(
    files: readonly PolicyFile[],
    since: number,
    limit = 10_000,
    sample: SimulationSample = {},
  ): Promise<SimulationReport> {
    const candidate = this.makeEvaluator(this.compile(files));
    const recorded = await this.deps.decisionLog.query({ since, limit });
    return simulate(candidate, recorded, { since, activeRevision: this.evaluator.revision }, sample);
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }
}
