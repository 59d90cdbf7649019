// The limits on one model call once govern() allowed it: the manifest tool scope, input/output/temperature/cost
// caps (refused, or clamped when a policy says clampLimits), and fields the output DLP or the provider rule out.
import type { ModelDoc } from '../catalog/catalog-schema.js';
import {
  InvalidInputError,
  LimitExceededError,
  PolicyDeniedError,
  UnavailableError,
  type GatehouseError,
} from '../core/errors.js';
import type { Decision, Obligations } from '../core/governance.js';
import type { AppManifest } from '../apps/manifest-schema.js';
import { undeclaredTool } from '../policy/scope.js';
import type { BudgetLimits, BudgetScope, Budgets, Reservation } from './budgets.js';
import type { DlpMode } from './dlp-guard.js';
import type { Caller, ChatRequest, Protocol } from './gateway-types.js';
import type { KeyGrant } from './key-policy.js';
import { costNanos, maxOutputWithin, nanosToUsd, usdToNanos } from './tokens.js';

export const num = (o: Obligations, k: string): number | undefined =>
  typeof o[k] === 'number' ? (o[k] as number) : undefined;
export function min(...xs: Array<number | undefined>): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x < m)) m = x;
  return m;
}

/** The error for a decision that did not allow the call (it carries the decision id, like every refusal). */
export function refusalOf(decision: Decision, model: string): GatehouseError {
  // A limit the request itself breaks (inputTokens over maxInputTokens ...) is the caller's to fix: 400.
  const limit = decision.refusal?.code === 'limit_exceeded' ? decision.refusal.limit : undefined;
  if (limit && !decision.errors.length)
    return new InvalidInputError(
      `Call to model '${model}' refused: ${decision.reason}`,
      [{ path: limit.field === 'inputTokens' ? 'messages' : limit.field, message: decision.reason }],
      { decisionId: decision.id, limit: limit.obligation },
    );
  // An outage, not a verdict: 503 so clients retry later, with the decision id like every refusal.
  if (decision.refusal?.code === 'store_unavailable')
    return new UnavailableError(`Call to model '${model}' refused: ${decision.reason}`, {
      decisionId: decision.id,
      refusal: decision.refusal,
    });
  const why =
    decision.effect === 'require_approval'
      ? `needs approval: ${decision.reason}`
      : decision.reason || decision.errors.join('; ') || 'denied by policy';
  return new PolicyDeniedError(`Call to model '${model}' refused: ${why}`, {
    decisionId: decision.id,
    model: model,
    refusal: decision.refusal,
  });
}

export interface LimitsInput {
  caller: Caller;
  req: ChatRequest;
  decl: AppManifest['spec']['models'][number];
  doc: ModelDoc;
  decision: Decision;
  tokensIn: number;
  /** Output tokens asked for (or the manifest's / config default). */
  maxOut: number;
  tools: string[];
}

/** The output cap and temperature to send; throws the refusal when the request breaks a limit it may not clamp. */
export function callLimits(i: LimitsInput): {
  maxOut: number;
  temperature: number | undefined;
  lowered?: Lowered;
} {
  const { caller, req, decl, doc, decision, tokensIn, tools } = i;
  let maxOut = i.maxOut;
  const o = decision.obligations;
  // The governor's scope step refuses undeclared tools first (recorded); this holds the line for any governor.
  const stray = undeclaredTool(decl, tools);
  if (stray !== undefined)
    throw new PolicyDeniedError(
      `Call to model '${req.model}' refused by the manifest-scope policy: tool '${stray}' is not declared for it in app '${caller.app}' version ${caller.version.version} (spec.models[].tools: ${JSON.stringify(decl.tools ?? [])}); declare it in the manifest and resubmit the app.`,
      { decisionId: decision.id, model: req.model, tool: stray, policy: 'manifest-scope' },
    );

  const clamp = o.clampLimits === true;

  const inCap = min(decl.maxInputTokens, num(o, 'maxInputTokens'));
  if (inCap !== undefined && tokensIn > inCap)
    throw new InvalidInputError(
      `Prompt is ${tokensIn} tokens, over the limit of ${inCap} input tokens (maxInputTokens) for model '${req.model}' in app '${caller.app}'; shorten it.`,
      [{ path: 'messages', message: `${tokensIn} tokens > maxInputTokens ${inCap}` }],
      { decisionId: decision.id, limit: 'maxInputTokens' },
    );
  const outCap = min(decl.maxOutputTokens, num(o, 'maxOutputTokens'));
  if (outCap !== undefined && maxOut > outCap) {
    if (req.maxTokens !== undefined && !clamp)
      throw new InvalidInputError(
        `max_tokens ${req.maxTokens} is over the limit of ${outCap} output tokens (maxOutputTokens) for model '${req.model}'; lower it.`,
        [{ path: 'max_tokens', message: `at most ${outCap}` }],
        { decisionId: decision.id, limit: 'maxOutputTokens' },
      );
    maxOut = outCap;
  }
  let temperature = req.temperature;
  const tCap = min(decl.temperature, num(o, 'maxTemperature'));
  if (tCap !== undefined && (temperature === undefined || temperature > tCap)) {
    if (temperature !== undefined && !clamp)
      throw new InvalidInputError(
        `temperature ${temperature} is over the limit of ${tCap} (maxTemperature) for model '${req.model}'; lower it.`,
        [{ path: 'temperature', message: `at most ${tCap}` }],
        { decisionId: decision.id, limit: 'maxTemperature' },
      );
    temperature = tCap;
  }
  const costCap = num(o, 'maxCostUsd');
  if (costCap !== undefined && costNanos(doc, tokensIn, maxOut) > usdToNanos(costCap)) {
    const fits = maxOutputWithin(doc, tokensIn, usdToNanos(costCap));
    if (fits < 1 || (req.maxTokens !== undefined && !clamp)) {
      throw new InvalidInputError(
        `This call may cost up to $${nanosToUsd(costNanos(doc, tokensIn, maxOut)).toFixed(6)}, over the per-call cap of $${costCap} (maxCostUsd); ${fits < 1 ? 'shorten the prompt' : `lower max_tokens to ${fits} or less`}.`,
        [{ path: 'max_tokens', message: `per-call cost cap $${costCap}` }],
        { decisionId: decision.id, limit: 'maxCostUsd' },
      );
    }
    const lowered = { from: maxOut, to: fits, by: 'maxCostUsd' };
    return { maxOut: fits, temperature, lowered };
  }
  return { maxOut, temperature };
}

/** Fields the output DLP or the target provider rule out, refused before the call (never sent). */
export function checkOutputFields(
  model: string,
  provider: Protocol,
  body: Record<string, unknown>,
  outputMode: DlpMode,
  temperature: number | undefined,
  decisionId: string,
): void {
  if (body.logprobs === true && outputMode !== 'allow')
    throw new InvalidInputError(
      `Request field 'logprobs' cannot be sent: log probabilities carry the raw output tokens, which output DLP (${outputMode}) must redact; remove logprobs or ask for a policy with outputDlp: allow.`,
      [{ path: 'logprobs', message: 'not allowed while output DLP is on' }],
      { decisionId: decisionId, field: 'logprobs' },
    );
  if (provider === 'anthropic' && temperature !== undefined && temperature > 1)
    throw new InvalidInputError(
      `temperature ${temperature} is out of range for model '${model}' (Anthropic accepts 0 to 1); lower it.`,
      [{ path: 'temperature', message: 'at most 1 for this provider' }],
      { decisionId: decisionId, field: 'temperature' },
    );
}

const toNanos = (usd: number | undefined) => (usd === undefined ? undefined : usdToNanos(usd));

/** The budgets a call reserves against: the manifest's and the policy's, the tighter of each. */
export function budgetLimits(b: AppManifest['spec']['budgets'], o: Obligations): BudgetLimits {
  return {
    appDailyNanos: toNanos(min(b?.dailyCostUsd, num(o, 'dailyCostUsd'))),
    userDailyNanos: toNanos(min(b?.perUserDailyCostUsd, num(o, 'perUserDailyCostUsd'))),
    sessionNanos: toNanos(num(o, 'perSessionCostUsd')),
    requestsPerMinute: min(b?.requestsPerMinute, num(o, 'requestsPerMinute')),
    tokensPerMinute: min(b?.tokensPerMinute, num(o, 'tokensPerMinute')),
  };
}

/** Image parts reach a model only when its catalog entry lists the image modality. */
export function checkModalities(doc: ModelDoc, req: ChatRequest): void {
  const modalities = doc.spec.modalities ?? ['text'];
  if (req.hasImages && !modalities.includes('image'))
    throw new InvalidInputError(
      `Model '${req.model}' takes text only (catalog modalities: ${modalities.join(', ')}); remove the image parts or pick a model whose catalog entry lists image.`,
      [{ path: 'messages', message: 'image parts are not allowed for this model' }],
    );
}

/** The key's own limits, added to the app's and user's in the same reservation. */
export function keyBudgetLimits(g: KeyGrant | undefined): Partial<BudgetLimits> {
  if (!g) return {};
  const l = g.limits;
  return {
    ...(l.rpm !== undefined ? { keyRequestsPerMinute: l.rpm } : {}),
    ...(l.tpm !== undefined ? { keyTokensPerMinute: l.tpm } : {}),
    ...(l.dailyUsd !== undefined ? { keyDailyNanos: usdToNanos(l.dailyUsd) } : {}),
    ...(l.monthlyUsd !== undefined ? { keyMonthlyNanos: usdToNanos(l.monthlyUsd) } : {}),
  };
}

/** The output cap the gateway lowered, from what to what, and which cap or budget made it (`maxCostUsd`, a budget). */
export interface Lowered {
  from: number;
  to: number;
  by: string;
}

/** Header value of x-gatehouse-max-tokens-lowered: `<from>-><to>; by=<cap or budget>`. */
export const loweredHeader = (l: Lowered): string => `${l.from}->${l.to}; by=${l.by}`;

export interface FitInput {
  budgets: Budgets;
  scope: BudgetScope;
  limits: BudgetLimits;
  doc: ModelDoc;
  tokensIn: number;
  maxOut: number;
  /** Whether the output cap may be lowered to fit (the caller named no max_tokens, or a policy clamps). */
  mayLower: boolean;
}

/**
 * Reserves the call's worst case; when a cost budget has less left than that, the output cap is lowered to what the
 * remainder pays for (the maxCostUsd rule) and the reservation tried again. Refusals say what is left, when it
 * resets, and the largest max_tokens that fits now.
 */
export async function reserveFitting(i: FitInput): Promise<{ reservation: Reservation; maxOut: number; by?: string }> {
  let maxOut = i.maxOut;
  let by: string | undefined;
  // One retry per cost budget (app, user, session) at most: each refusal names the tightest one so far.
  for (let attempt = 0; ; attempt++) {
    try {
      const worst = costNanos(i.doc, i.tokensIn, maxOut);
      const reservation = await i.budgets.reserve(i.scope, i.limits, worst, i.tokensIn + maxOut);
      return { reservation, maxOut, by };
    } catch (err) {
      if (!(err instanceof LimitExceededError) || typeof err.extra.remainingNanos !== 'number') throw err;
      const fits = maxOutputWithin(i.doc, i.tokensIn, err.extra.remainingNanos);
      if (fits < 1) throw withHint(err, 'not even the prompt fits in what is left');
      if (!i.mayLower || attempt >= 3 || fits >= maxOut)
        throw withHint(err, `lower max_tokens to ${fits} or less to be served now`, fits);
      maxOut = fits;
      by = String(err.extra.budget);
    }
  }
}

function withHint(err: LimitExceededError, hint: string, fits?: number): LimitExceededError {
  const ra = err.extra.retryAfterSeconds;
  const e = new LimitExceededError(`${err.message.replace(/\.$/, '')}; ${hint}.`, typeof ra === 'number' ? ra : 0, {
    ...err.extra,
    ...(fits !== undefined ? { maxTokensThatFit: fits } : {}),
  });
  if (typeof ra !== 'number') delete e.extra.retryAfterSeconds;
  return e;
}
