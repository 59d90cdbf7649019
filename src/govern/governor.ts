// govern(): the one decision path every enforcement point calls — identify, gate, decide, record. Never throws; fails closed.
import { isRunnable } from '../apps/lifecycle-states.js';
import type { AppReader } from '../apps/manifest-schema.js';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import type {
  AppScope,
  Decision,
  DecisionSink,
  EnforcementRefusal,
  GateCheck,
  GovernanceRequest,
  GovernInput,
  Governor,
  LimitOverlay,
  Refusal,
} from '../core/governance.js';
import { mergeObligations } from '../core/obligations.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { appScopeOf, appUserRefusal, resourceAttributes } from './identify.js';

/** The policy decision point as govern() needs it (PolicyService implements it). */
export interface DecisionPoint {
  decide(req: GovernanceRequest): Decision;
  readonly activeRevision: string;
}

export interface GovernorDeps {
  catalog: CatalogReader;
  apps: AppReader;
  engine: DecisionPoint;
  gate?: GateCheck;
  /** Temporary caps merged into allowed decisions before they are recorded, so the decision log shows them. */
  overlay?: LimitOverlay;
  sinks: DecisionSink[];
  clock: Clock;
  logger: Logger;
}

class IdentifyError extends Error {}

export function createGovernor(deps: GovernorDeps): Governor {
  const { catalog, apps, engine, gate, overlay, sinks, clock, logger } = deps;

  /** Step 1: who (roles, groups), which app version and scope, and the resource's catalog attributes. */
  async function identify(input: GovernInput): Promise<GovernanceRequest> {
    const s = input.subject;
    const user = catalog.user(s.user);
    if (!user && s.user !== 'system' && !s.roles)
      throw new IdentifyError(`user ${s.user} is not in the catalog; add a User entry for them`);
    const roles = user?.spec.roles ?? s.roles ?? (s.user === 'system' ? ['admin'] : []);
    let app: AppScope | undefined;
    if (input.action === 'app.submit') {
      if (!input.candidate)
        throw new IdentifyError('app.submit needs the candidate manifest scope (GovernInput.candidate)');
      app = input.candidate;
    } else if (s.app) {
      const v = s.appVersion !== undefined ? await apps.getVersion(s.app, s.appVersion) : await apps.inForce(s.app);
      if (!v)
        throw new IdentifyError(
          `app ${s.app}${s.appVersion !== undefined ? ` version ${s.appVersion}` : ''} has no version in force; submit and get it approved first`,
        );
      if (!isRunnable(v.state))
        throw new IdentifyError(`app ${s.app} version ${v.version} is ${v.state} and may not act`);
      app = appScopeOf(v);
      const refused = user ? appUserRefusal(app, s.user, user.spec.groups ?? []) : undefined;
      if (refused) throw new IdentifyError(refused);
    }
    const attributes = { ...input.resource.attributes, ...resourceAttributes(catalog, input.resource, app) };
    return {
      action: input.action,
      subject: {
        user: s.user,
        roles,
        groups: user?.spec.groups ?? s.groups ?? [],
        app: app?.name ?? s.app,
        appVersion: app?.version ?? s.appVersion,
        session: s.session,
        run: s.run,
      },
      resource: { type: input.resource.type, id: input.resource.id, attributes },
      request: input.request ?? {},
      app,
      environment: app?.environment,
      traceId: input.traceId,
    };
  }

  function refusal(step: Refusal['step'], reason: string, data: Omit<Refusal, 'step'>, error?: string): Decision {
    const time = clock.now();
    return {
      id: newId('dec', time),
      time,
      effect: 'deny',
      obligations: {},
      warnings: [],
      bundleRevision: engine.activeRevision,
      reason,
      matched: [{ policy: step, effect: 'deny', mode: 'enforce', reason, ...(error ? { error } : {}) }],
      errors: error ? [error] : [],
      refusal: { step, ...data },
    };
  }

  /** Step 4: every sink sees every decision; a failing sink is logged, never fatal. */
  function record(d: Decision, req: GovernanceRequest): void {
    for (const sink of sinks) {
      try {
        sink.record(d, req);
      } catch (err) {
        logger.error('decision sink failed', { decisionId: d.id, error: (err as Error).message });
      }
    }
  }

  /** The request as given, when identify() could not complete it. */
  function bare(input: GovernInput): GovernanceRequest {
    return {
      action: input.action,
      subject: {
        user: input.subject.user,
        roles: [],
        groups: [],
        app: input.subject.app,
        appVersion: input.subject.appVersion,
      },
      resource: { type: input.resource.type, id: input.resource.id, attributes: input.resource.attributes ?? {} },
      request: input.request ?? {},
      traceId: input.traceId,
    };
  }

  return {
    async recordRefusal(input: GovernInput, r: EnforcementRefusal): Promise<Decision> {
      let req: GovernanceRequest;
      try {
        req = await identify(input);
      } catch {
        req = bare(input);
      }
      const time = clock.now();
      const d: Decision = {
        id: newId('dec', time),
        time,
        effect: 'deny',
        obligations: {},
        warnings: [],
        bundleRevision: engine.activeRevision,
        reason: r.reason,
        matched: [{ policy: r.by, effect: 'deny', mode: 'enforce', reason: r.reason }],
        errors: [],
        refusal: { step: 'enforce', code: r.code, status: r.status, ...(r.after ? { after: r.after } : {}) },
      };
      // The allowing decision and the status ride in the logged input, which the decision log keeps.
      record(d, {
        ...req,
        request: { ...req.request, refusal: { status: r.status, code: r.code, after: r.after ?? null } },
      });
      return d;
    },
    async govern(input: GovernInput): Promise<Decision> {
      let req: GovernanceRequest;
      try {
        req = await identify(input);
      } catch (err) {
        req = bare(input);
        const msg = err instanceof IdentifyError ? err.message : `identify failed: ${(err as Error).message}`;
        const d = refusal('identify', `${msg} (fail closed)`, { code: 'unidentified' }, msg);
        record(d, req);
        return d;
      }
      let decision: Decision;
      try {
        const gated = gate?.check(req);
        decision = gated
          ? refusal('gate', `${gated.reason} (${gated.scope})`, {
              code: gated.code,
              scope: gated.scope,
              ...(gated.modelOnly ? { modelOnly: true } : {}),
              ...(gated.fallbackModel ? { fallbackModel: gated.fallbackModel } : {}),
            })
          : engine.decide(req);
        const cap = decision.effect === 'allow' ? overlay?.limitsFor(req) : null;
        if (cap)
          decision = {
            ...decision,
            obligations: mergeObligations(decision.obligations, cap.obligations),
            warnings: [...decision.warnings, cap.reason],
          };
      } catch (err) {
        const msg = `policy decision failed: ${(err as Error).message}`;
        decision = refusal('policy', `${msg} (fail closed)`, { code: 'engine_error' }, msg);
      }
      record(decision, req);
      return decision;
    },
  };
}
