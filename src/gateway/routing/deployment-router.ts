// Routing one model call across the model's deployments: residency filter, rpm/tpm counted across replicas through
// the coordination store, open circuits skipped, weighted random choice scaled down for slow deployments, and the
// next deployment after a retryable failure. The algorithm is documented in docs/gateway.md (Routing).
import { performance } from 'node:perf_hooks';
import type { DeploymentSpec, ModelDoc } from '../../catalog/catalog-schema.js';
import { regionAllowed, type ResidencyScope } from '../../catalog/residency.js';
import { LimitExceededError, PolicyDeniedError } from '../../core/errors.js';
import type { Coordination } from '../../coord/coordination.js';
import { UpstreamError } from '../upstream-error.js';
import type { RouteAttempt, RoutingTrace, SkipReason } from './routing-trace.js';

/** A deployment with the model's defaults filled in. */
export interface Deployment extends DeploymentSpec {
  provider: ModelDoc['spec']['provider'];
  upstreamModel: string;
}

/** The id of the one deployment a model without `deployments` has. */
export const IMPLICIT_DEPLOYMENT = 'default';

/** Deployments per catalog document (documents are replaced, never changed, when the catalog is applied). */
const resolved = new WeakMap<ModelDoc, readonly Deployment[]>();

/** The deployments of a model; a model without `deployments` has one, `default`, from its upstream and region. */
export function deploymentsOf(doc: ModelDoc): readonly Deployment[] {
  let out = resolved.get(doc);
  if (!out) resolved.set(doc, (out = resolve(doc)));
  return out;
}

function resolve(doc: ModelDoc): Deployment[] {
  const s = doc.spec;
  const own = s.upstreamModel ?? doc.metadata.name;
  if (!s.deployments)
    return [
      {
        id: IMPLICIT_DEPLOYMENT,
        provider: s.provider,
        upstream: s.upstream,
        upstreamModel: own,
        region: s.region,
        weight: 1,
      },
    ];
  return s.deployments.map((d) => ({
    ...d,
    provider: d.provider ?? s.provider,
    upstreamModel: d.upstreamModel ?? own,
  }));
}

/** Latency smoothing: each sample moves the average by this share. */
export const EWMA_ALPHA = 0.3;
/** A deployment is not slowed down until its average exceeds SLOW_RATIO x the best plus SLOW_SLACK_MS. */
export const SLOW_RATIO = 2;
export const SLOW_SLACK_MS = 20;
/** The least share of its weight a slow deployment keeps (so it is still sampled and can recover). */
export const MIN_LATENCY_FACTOR = 0.05;

/** How much of its weight a deployment keeps for its recent latency: min(1, ((2*best + 20ms) / ewma)^2), >= 0.05. */
export function latencyFactor(ewmaMs: number | undefined, bestMs: number | undefined): number {
  if (ewmaMs === undefined || bestMs === undefined || ewmaMs <= 0) return 1;
  const f = ((SLOW_RATIO * bestMs + SLOW_SLACK_MS) / ewmaMs) ** 2;
  return Math.max(MIN_LATENCY_FACTOR, Math.min(1, f));
}

/** A failure worth trying the next deployment for: network faults, 429 and 5xx, not the call's deadline running out. */
export function retryableOnNext(err: unknown): boolean {
  return (
    err instanceof UpstreamError &&
    err.status !== 504 &&
    (err.upstreamStatus === 0 || err.upstreamStatus === 429 || err.upstreamStatus >= 500)
  );
}

export interface RouterDeps {
  coord: Coordination;
  /** Whether an upstream base URL's circuit is open (UpstreamClient.circuitOpen). */
  circuitOpen(baseUrl: string): boolean;
  circuitState?(baseUrl: string): string;
  /** Uniform in [0, 1); injectable for seeded tests. */
  random?: () => number;
  now?: () => number;
}

/** Live state of one deployment (this replica's circuit and latency, the shared rpm/tpm counters). */
export interface DeploymentState {
  id: string;
  provider: string;
  upstream: string;
  region: string;
  weight: number;
  rpm?: number;
  tpm?: number;
  circuit: string;
  latencyMs?: number;
  rpmUsed: number;
  tpmUsed: number;
}

const WINDOW_MS = 60_000;

export class DeploymentRouter {
  private readonly ewma = new Map<string, number>();
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly d: RouterDeps) {
    this.random = d.random ?? Math.random;
    this.now = d.now ?? Date.now;
  }

  /** Starts routing one call of `doc` for an app with this residency, reserving `tokens` against tpm. */
  begin(doc: ModelDoc, residency: ResidencyScope, tokens: number): Route {
    return new Route(this, doc, deploymentsOf(doc), residency, tokens);
  }

  /** Counter keys of a deployment for the current minute (shared across replicas). */
  counterKeys(model: string, dep: string): { rpm: string; tpm: string } {
    const w = Math.floor(this.now() / WINDOW_MS);
    return { rpm: `gw:route:rpm:${model}:${dep}:${w}`, tpm: `gw:route:tpm:${model}:${dep}:${w}` };
  }

  /** Takes one request and `tokens` from the deployment's minute; the reason when it is full. */
  async take(model: string, dep: Deployment, tokens: number): Promise<SkipReason | undefined> {
    const k = this.counterKeys(model, dep.id);
    const ttl = 2 * WINDOW_MS;
    if (dep.rpm !== undefined && !(await this.d.coord.reserve(k.rpm, 1, dep.rpm, ttl)).ok) return 'rpm';
    if (dep.tpm !== undefined && !(await this.d.coord.reserve(k.tpm, tokens, dep.tpm, ttl)).ok) {
      if (dep.rpm !== undefined) await this.d.coord.add(k.rpm, -1, ttl);
      return 'tpm';
    }
    return undefined;
  }

  circuitOpen(dep: Deployment): boolean {
    return this.d.circuitOpen(dep.upstream);
  }

  latency(model: string, dep: string): number | undefined {
    return this.ewma.get(`${model}/${dep}`);
  }

  /** Records a success's time to answer (until headers, for streams). */
  observe(model: string, dep: string, ms: number): void {
    const key = `${model}/${dep}`;
    const prev = this.ewma.get(key);
    this.ewma.set(key, prev === undefined ? ms : prev + EWMA_ALPHA * (ms - prev));
  }

  /** Weighted random pick, weights scaled by latencyFactor against the fastest deployment in the pool. */
  pick(model: string, pool: readonly Deployment[]): Deployment {
    const lat = pool.map((p) => this.latency(model, p.id));
    const known = lat.filter((l): l is number => l !== undefined);
    const best = known.length ? Math.min(...known) : undefined;
    const w = pool.map((p, i) => p.weight * latencyFactor(lat[i], best));
    let r = this.random() * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < pool.length; i++) {
      r -= w[i];
      if (r < 0) return pool[i];
    }
    return pool[pool.length - 1];
  }

  /** Deployments of a model with their live state, for `gatehouse model deployments`. */
  async live(doc: ModelDoc): Promise<DeploymentState[]> {
    const deps = deploymentsOf(doc);
    const keys = deps.flatMap((p) => {
      const k = this.counterKeys(doc.metadata.name, p.id);
      return [k.rpm, k.tpm];
    });
    const counts = await this.d.coord.getMany(keys);
    return deps.map((p, i) => ({
      id: p.id,
      provider: p.provider,
      upstream: p.upstream,
      region: p.region,
      weight: p.weight,
      ...(p.rpm !== undefined ? { rpm: p.rpm } : {}),
      ...(p.tpm !== undefined ? { tpm: p.tpm } : {}),
      circuit: this.d.circuitState?.(p.upstream) ?? (this.d.circuitOpen(p.upstream) ? 'open' : 'closed'),
      ...(this.latency(doc.metadata.name, p.id) !== undefined
        ? { latencyMs: Math.round(this.latency(doc.metadata.name, p.id)! * 10) / 10 }
        : {}),
      rpmUsed: counts[2 * i],
      tpmUsed: counts[2 * i + 1],
    }));
  }
}

/** The routing of one call: hands out deployments one at a time and keeps the trace. */
export class Route {
  readonly trace: RoutingTrace;
  private readonly left: Deployment[];
  private lastError: unknown;

  constructor(
    private readonly router: DeploymentRouter,
    private readonly doc: ModelDoc,
    deployments: readonly Deployment[],
    residency: ResidencyScope,
    private readonly tokens: number,
  ) {
    const implicit = !doc.spec.deployments;
    this.trace = { implicit, attempts: [], skipped: [], residency: { ...residency } };
    this.left = [];
    for (const d of deployments) {
      // A model without deployments behaves as before: admission judged its region, the upstream client its circuit.
      if (!implicit && !regionAllowed(residency, d.region)) this.skip(d, 'residency');
      else this.left.push(d);
    }
  }

  /** True when no deployment is left to try (all passed over so far). */
  get empty(): boolean {
    return this.left.length === 0 && this.trace.attempts.length === 0;
  }

  private skip(d: Deployment, reason: SkipReason): void {
    this.trace.skipped.push({ id: d.id, region: d.region, reason });
  }

  /** The next deployment to call, its rpm/tpm already taken; undefined when none is left. */
  async next(): Promise<Deployment | undefined> {
    const model = this.doc.metadata.name;
    if (!this.trace.implicit)
      for (const d of [...this.left])
        if (this.router.circuitOpen(d)) {
          this.left.splice(this.left.indexOf(d), 1);
          this.skip(d, 'circuit_open');
        }
    while (this.left.length) {
      const d = this.router.pick(model, this.left);
      this.left.splice(this.left.indexOf(d), 1);
      const full = await this.router.take(model, d, this.tokens);
      if (!full) return d;
      this.skip(d, full);
    }
    return undefined;
  }

  /**
   * Calls `send` on one deployment after another until one answers; a failure not worth the next deployment (a 4xx,
   * the deadline) or the deadline passing ends it with that failure, and no deployment left with exhausted().
   */
  async run<T>(app: string, deadlineAt: number, send: (d: Deployment) => Promise<T>): Promise<T> {
    for (;;) {
      const dep = await this.next();
      if (!dep) throw this.exhausted(app);
      const t = performance.now();
      try {
        const out = await send(dep);
        this.succeeded(dep, performance.now() - t);
        return out;
      } catch (err) {
        this.failed(dep, err);
        if (!retryableOnNext(err) || Date.now() >= deadlineAt) throw err;
      }
    }
  }

  succeeded(d: Deployment, ms: number): void {
    this.trace.attempts.push({ id: d.id, region: d.region, outcome: 'served' });
    this.trace.served = d.id;
    this.router.observe(this.doc.metadata.name, d.id, ms);
  }

  failed(d: Deployment, err: unknown): void {
    const a: RouteAttempt = { id: d.id, region: d.region, outcome: 'failed' };
    if (err instanceof UpstreamError) a.status = err.upstreamStatus;
    this.trace.attempts.push(a);
    this.lastError = err;
  }

  /** The error to answer with once no deployment is left. */
  exhausted(app: string): unknown {
    if (this.lastError !== undefined) return this.lastError;
    const model = this.doc.metadata.name;
    const ids = (r: SkipReason) => this.trace.skipped.filter((s) => s.reason === r).map((s) => `${s.id} (${s.region})`);
    const extra = { reason: 'no_deployment' };
    const res = this.trace.residency;
    if (this.trace.skipped.every((s) => s.reason === 'residency'))
      return new PolicyDeniedError(
        `Model '${model}': no deployment is in a region app '${app}' may send its data to (data residency: datasets ${res.restrictedBy.join(', ')} keep prompts in ${res.appRegion}; deployments ${ids('residency').join(', ')}). Add a deployment in ${res.appRegion} to the model, or use a model hosted there.`,
        { ...extra, reason: 'residency' },
      );
    const limited = [...ids('rpm'), ...ids('tpm')];
    if (limited.length && ids('circuit_open').length === 0)
      return new LimitExceededError(
        `Model '${model}': every deployment it may use is at its per-minute limit (${limited.join(', ')}); retry within a minute or use a fallback model.`,
        60 - Math.floor((Date.now() % WINDOW_MS) / 1000),
        { ...extra, reason: 'deployment_limits' },
      );
    return new UpstreamError(
      0,
      `Model '${model}': every deployment it may use is failing and its circuit breaker is open (${ids('circuit_open').join(', ')}${limited.length ? `; at their limit: ${limited.join(', ')}` : ''}); retry shortly or use a fallback model.`,
      503,
      { ...extra, retryAfterSeconds: 10 },
    );
  }
}
