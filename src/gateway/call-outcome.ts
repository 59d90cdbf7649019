// How a gateway call ended, for the invoker: whether a failure is worth a fallback model, the outcome word the
// records use, and the replay of a cached answer as a stream.
import { GatehouseError, LimitExceededError, PolicyDeniedError } from '../core/errors.js';
import type { Refusal } from '../core/governance.js';
import type { ChatResult, StreamEvent } from './gateway-types.js';
import { UpstreamError } from './upstream-error.js';

const COST_BUDGETS = new Set(['app_daily_cost', 'user_daily_cost', 'session_cost']);

/** Budget exhausted, upstream failing, or a refusal of this model only (its kill switch, a cap's route). */
export function fallbackWorthy(err: unknown): boolean {
  // No deployment of this model may serve (residency, per-minute limits): another model's deployments may.
  if (err instanceof GatehouseError && (err.extra.reason === 'residency' || err.extra.reason === 'deployment_limits'))
    return true;
  if (err instanceof LimitExceededError) return COST_BUDGETS.has(String(err.extra.budget));
  // A provider refusing the request itself (400, 401, 404 ...) would refuse it on the fallback too.
  // A provider refusing Gatehouse's credential for this model is this model's problem: another may serve.
  if (err instanceof UpstreamError)
    return (
      err.upstreamStatus === 0 ||
      err.upstreamStatus === 429 ||
      err.upstreamStatus >= 500 ||
      err.extra.credentialRefused === true
    );
  if (err instanceof PolicyDeniedError) {
    const refusal = err.extra.refusal as Refusal | undefined;
    return refusal?.step === 'gate' && refusal.modelOnly === true;
  }
  return false;
}

export function outcomeOf(err: unknown): string {
  if (!(err instanceof GatehouseError)) return 'error';
  if (err.extra.reason === 'dlp_blocked') return 'dlp_blocked';
  if (err instanceof LimitExceededError) return 'limited';
  if (err instanceof UpstreamError) return 'upstream_error';
  if (err.status === 400) return 'invalid';
  if (err.status === 401 || err.status === 403 || err.status === 404) return 'denied';
  return 'error';
}

export async function* replay(
  r: ChatResult & { costUsd: number },
  done: () => Promise<void>,
): AsyncGenerator<StreamEvent> {
  try {
    if (r.text) yield { type: 'text', text: r.text };
    let index = 0;
    for (const call of r.toolCalls ?? []) yield { type: 'tool_call', index: index++, call };
    yield { type: 'done', finishReason: r.finishReason, usage: r.usage, costUsd: 0 };
  } finally {
    // Sync durability: the stream ends (its last chunk) only after the record; a failure breaks the response.
    await done();
  }
}
