// The one place the gateway's refusals get their decision: every refusal it answers (400, 403, 404, 413, 429, 503)
// carries `x-gatehouse-decision-id` naming a deny in the decision log. A refusal govern() made is already there; one
// the gateway made itself after an allow (budget, cap, DLP block, missing key) or before it could ask (bad input) is
// recorded through Governor.recordRefusal, naming the decision that had allowed the call.
import { GatehouseError, LimitExceededError } from '../core/errors.js';
import type { EnforcementRefusal, GovernInput, Governor } from '../core/governance.js';
import type { Caller } from './gateway-types.js';
import { callerSubject } from './model-call-input.js';
import { UpstreamError } from './upstream-error.js';

/** Statuses that are refusals (401 is not: nobody was identified to record it against). */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 404, 413, 429, 503]);

/** What the call had been told by govern(), when it got that far. */
export interface PriorDecision {
  id: string;
  allowed: boolean;
}

/** The minimal govern() input of a call, for refusals made before (or without) the call's own input. */
export function refusalInput(caller: Caller, model: string, request: Record<string, unknown> = {}): GovernInput {
  return {
    action: 'model.invoke',
    subject: callerSubject(caller),
    resource: { type: 'model', id: model },
    request,
  };
}

function classify(e: GatehouseError): Pick<EnforcementRefusal, 'code' | 'by'> {
  if (e instanceof LimitExceededError) return { code: 'budget_exhausted', by: `budget:${String(e.extra.budget)}` };
  if (e.extra.reason === 'dlp_blocked') return { code: 'dlp_blocked', by: 'dlp' };
  if (e.status === 503) return { code: 'unavailable', by: 'gateway' };
  if (e.status === 403 || e.status === 404)
    return { code: 'denied', by: typeof e.extra.policy === 'string' ? e.extra.policy : 'gateway' };
  const limit = typeof e.extra.limit === 'string' ? e.extra.limit : undefined;
  return limit ? { code: 'limit_exceeded', by: `limit:${limit}` } : { code: 'invalid_request', by: 'gateway' };
}

/**
 * Gives a refusal its decision id (recording the refusal when govern() did not) and returns that id. Errors that are
 * not refusals (an upstream's own answer, a 5xx) only get the call's decision id. Never throws.
 */
export async function stampRefusal(
  governor: Governor,
  input: GovernInput,
  err: unknown,
  prior?: PriorDecision,
): Promise<string | undefined> {
  if (!(err instanceof GatehouseError)) return prior?.id;
  const given = typeof err.extra.decisionId === 'string' ? err.extra.decisionId : undefined;
  const upstreamAnswer = err instanceof UpstreamError && err.upstreamStatus !== 0;
  // govern() refused: the deny is in the log under the id the error carries.
  if ((prior && !prior.allowed) || !REFUSAL_STATUSES.has(err.status) || upstreamAnswer || !governor.recordRefusal) {
    if (given === undefined && prior) err.extra.decisionId = prior.id;
    return (err.extra.decisionId as string | undefined) ?? prior?.id;
  }
  // Already recorded (a refusal passing through twice, e.g. from a surface after the invoker).
  if (given !== undefined && given !== prior?.id) return given;
  try {
    const d = await governor.recordRefusal(input, {
      ...classify(err),
      reason: err.message,
      status: err.status,
      ...(prior ? { after: prior.id } : {}),
    });
    err.extra.decisionId = d.id;
    if (prior) err.extra.allowedBy = prior.id;
    return d.id;
  } catch {
    if (given === undefined && prior) err.extra.decisionId = prior.id;
    return prior?.id;
  }
}
