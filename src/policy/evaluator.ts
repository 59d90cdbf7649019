// The policy decision point: pure, in memory, policies indexed by action and resource type; deny > require_approval > allow.
import type { Decision, Effect, GovernanceRequest, MatchedPolicy, Obligations, Refusal } from '../core/governance.js';
import { newId } from '../core/ids.js';
import { buildActivation } from './cel-env.js';
import type { CompiledBundle, CompiledPolicy } from './compiler.js';
import { mergeLimit } from '../core/obligations.js';
import { scopeViolation } from './scope.js';

const ANY = '*';
const MAX_CACHED_KEYS = 4096;

export interface EvaluatorOptions {
  now: () => number;
}

/** Request quantities checked against the merged limits; exceeding one is a deny that says which limit. */
const CHECKED_LIMITS: [string, string][] = [
  ['inputTokens', 'maxInputTokens'],
  ['costUsd', 'maxCostUsd'],
  ['estimatedCostUsd', 'maxCostUsd'],
  ['temperature', 'maxTemperature'],
];

const more = (xs: string[]): string => (xs.length > 1 ? ` (and ${xs.length - 1} more)` : '');

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

export class PolicyEvaluator {
  readonly revision: string;
  readonly size: number;
  private readonly index = new Map<string, Map<string, CompiledPolicy[]>>();
  private readonly order = new Map<CompiledPolicy, number>();
  private readonly cache = new Map<string, CompiledPolicy[]>();

  constructor(
    readonly bundle: CompiledBundle,
    private readonly opts: EvaluatorOptions = { now: Date.now },
  ) {
    this.revision = bundle.revision;
    this.size = bundle.policies.length;
    bundle.policies.forEach((p, i) => {
      this.order.set(p, i);
      for (const a of p.actions ?? [ANY]) {
        let byType = this.index.get(a);
        if (!byType) this.index.set(a, (byType = new Map()));
        for (const t of p.resourceTypes ?? [ANY]) {
          const list = byType.get(t);
          if (list) list.push(p);
          else byType.set(t, [p]);
        }
      }
    });
  }

  /** The DecisionPoint view (govern() names the bundle a decision used). */
  get activeRevision(): string {
    return this.revision;
  }

  /** Policies whose action and resource type match, in bundle order; other policies cost nothing. */
  candidates(action: string, type: string): CompiledPolicy[] {
    const key = `${action}\u0000${type}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const lists = [
      this.index.get(action)?.get(type),
      this.index.get(action)?.get(ANY),
      this.index.get(ANY)?.get(type),
      this.index.get(ANY)?.get(ANY),
    ];
    const merged = [...new Set(lists.flatMap((l) => l ?? []))].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    if (this.cache.size < MAX_CACHED_KEYS) this.cache.set(key, merged);
    return merged;
  }

  decide(req: GovernanceRequest): Decision {
    const time = this.opts.now();
    const id = newId('dec', time);
    const outside = scopeViolation(req);
    if (outside) {
      return {
        id,
        time,
        bundleRevision: this.revision,
        effect: 'deny',
        obligations: {},
        warnings: [],
        errors: [],
        reason: outside,
        matched: [{ policy: 'deny_by_default', effect: 'deny', mode: 'enforce', reason: outside }],
      };
    }
    const act = buildActivation(req);
    const env = act.environment as string;
    const appName = req.app?.name ?? req.subject.app;
    const matched: MatchedPolicy[] = [];
    const warnings: string[] = [];
    const errors: string[] = [];
    const denies: string[] = [];
    const approvals: string[] = [];
    const obligations: Obligations = {};
    const limitFrom: Record<string, string> = {};
    for (const p of this.candidates(req.action, req.resource.type)) {
      if (p.environments && !p.environments.has(env)) continue;
      if (p.apps && !(appName && p.apps.has(appName))) continue;
      act.params = p.parameters;
      let hit = true;
      let error: string | undefined;
      if (p.condition) {
        try {
          const r = p.condition(act);
          if (typeof r === 'boolean') hit = r;
          else error = `condition returned ${typeof r}, not a bool`;
        } catch (err) {
          error = firstLine((err as Error).message);
        }
      }
      if (error !== undefined) {
        const msg = `policy ${p.name}: condition could not be evaluated: ${error}`;
        errors.push(msg);
        if (p.mode === 'enforce') {
          denies.push(`${msg} (fail closed)`);
          matched.push({ policy: p.name, effect: 'deny', mode: p.mode, reason: `${msg} (fail closed)`, error });
        } else {
          warnings.push(`${msg} (advisory, ignored)`);
          matched.push({ policy: p.name, effect: p.effect, mode: p.mode, reason: msg, error });
        }
        continue;
      }
      if (!hit) continue;
      const reason = p.message(act);
      matched.push({ policy: p.name, effect: p.effect, mode: p.mode, reason });
      if (p.mode === 'advisory') {
        if (p.effect !== 'allow') warnings.push(`${reason} (advisory policy ${p.name}, would ${p.effect})`);
        continue;
      }
      switch (p.effect) {
        case 'deny':
          denies.push(reason);
          break;
        case 'require_approval':
          approvals.push(reason);
          break;
        case 'warn':
          warnings.push(reason);
          break;
        case 'limit':
          for (const k in p.parameters) {
            const before = obligations[k];
            mergeLimit(obligations, k, p.parameters[k]);
            if (obligations[k] !== before) limitFrom[k] = p.name;
          }
          break;
        case 'allow':
          break;
      }
    }
    const request = req.request ?? {};
    const policyDenies = denies.length;
    const breaches: NonNullable<Refusal['limit']>[] = [];
    for (let i = 0; i < CHECKED_LIMITS.length; i++) {
      const [field, limit] = CHECKED_LIMITS[i];
      const v = request[field];
      const max = obligations[limit];
      // With clampLimits the enforcement point lowers the temperature itself instead of refusing.
      if (limit === 'maxTemperature' && obligations.clampLimits === true) continue;
      if (typeof v === 'number' && typeof max === 'number' && v > max) {
        breaches.push({ field, obligation: limit, max, actual: v });
        denies.push(
          `request.${field} ${v} exceeds ${limit} ${max} set by policy ${limitFrom[limit]}; lower it to ${max} or less`,
        );
      }
    }
    const effect: Effect = denies.length > 0 ? 'deny' : approvals.length > 0 ? 'require_approval' : 'allow';
    const reason =
      effect === 'deny'
        ? denies[0] + more(denies)
        : effect === 'require_approval'
          ? approvals[0] + more(approvals)
          : matched.length > 0
            ? `allowed by bundle ${this.revision}; ${matched.length} polic${matched.length === 1 ? 'y' : 'ies'} matched`
            : `allowed by bundle ${this.revision}; no policy objected`;
    // Only a request that breaks a limit and nothing else is the caller's to fix (the gateway answers it with 400).
    const refusal: Refusal | undefined =
      effect === 'deny'
        ? policyDenies === 0 && breaches.length > 0
          ? { step: 'policy', code: 'limit_exceeded', limit: breaches[0] }
          : { step: 'policy', code: 'denied' }
        : effect === 'require_approval'
          ? { step: 'policy', code: 'approval_required' }
          : undefined;
    return {
      id,
      time,
      bundleRevision: this.revision,
      effect,
      obligations,
      warnings,
      matched,
      reason,
      errors,
      ...(refusal ? { refusal } : {}),
    };
  }
}
