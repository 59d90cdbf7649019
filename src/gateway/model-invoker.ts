// The gateway pipeline for one model call: declared model → govern() → caps → DLP → cache → budget reservation
// → upstream (retries, breaker) → output DLP and cap → settle → records. Fallbacks re-run it on a cheaper model.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import type { CatalogReader, ModelDoc } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import {
  GatehouseError,
  InvalidInputError,
  LimitExceededError,
  NotFoundError,
  PolicyDeniedError,
  UnavailableError,
} from '../core/errors.js';
import { dlpModeOf } from '../core/dlp-mode-limit.js';
import type { CutSignalFor, Governor, Obligations, Refusal } from '../core/governance.js';
import type { DlpEngine } from '../dlp/index.js';
import type { Budgets, BudgetLimits } from './budgets.js';
import type { CallFacts, CallRecorder } from './call-records.js';
import { guardOutput, guardPrompt } from './dlp-guard.js';
import type { GatewayConfig } from './gateway-config.js';
import type { Caller, ChatRequest, ChatResult, StreamEvent } from './gateway-types.js';
import { streamAnswer } from './stream-answer.js';
import { declaredModel } from '../policy/scope.js';
import { abortable } from '../core/abortable.js';
import { decode, encode } from 'gpt-tokenizer';
import { costNanos, countInputTokens, countTextTokens, maxOutputWithin, nanosToUsd, usdToNanos } from './tokens.js';
import { UpstreamError, type UpstreamClient, type UpstreamTarget } from './upstream-client.js';

export interface InvokerDeps {
  governor: Governor;
  catalog: CatalogReader;
  budgets: Budgets;
  upstream: UpstreamClient;
  dlp?: DlpEngine;
  recorder: CallRecorder;
  clock: Clock;
  config: GatewayConfig;
  /** The provider key for a model (server-side only); throws when none is configured. */
  providerKey(model: ModelDoc): string;
  /** Aborts a stream in flight when a kill switch lands on its app, version, user or model. */
  cutSignal?: CutSignalFor;
}

/** A call the gateway accepted: a finished result, or a stream to forward (already started upstream). */
export interface Invocation {
  decisionId: string;
  model: string;
  requestedModel: string;
  fallbackFrom?: string;
  cached: boolean;
  /** Time spent waiting for the upstream (until its headers, for streams), ms; the rest is gateway overhead. */
  upstreamMs: number;
  result?: ChatResult & { costUsd: number };
  stream?: AsyncIterable<StreamEvent>;
}

const num = (o: Obligations, k: string): number | undefined =>
  typeof o[k] === 'number' ? (o[k] as number) : undefined;
function min(...xs: Array<number | undefined>): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x < m)) m = x;
  return m;
}
const COST_BUDGETS = new Set(['app_daily_cost', 'user_daily_cost', 'session_cost']);

export class ModelInvoker {
  private readonly cache: LRUCache<string, ChatResult>;

  constructor(private readonly d: InvokerDeps) {
    this.cache = new LRUCache({ max: d.config.cacheMaxEntries, ttlAutopurge: false });
  }

  /** Runs one call; refusals throw GatehouseErrors (recorded first), fallbacks are tried per the manifest. */
  async invoke(caller: Caller, req: ChatRequest, traceId?: string): Promise<Invocation> {
    const t0 = performance.now();
    const tried = new Set<string>();
    let model = req.model;
    let fallbackFrom: string | undefined;
    for (;;) {
      tried.add(model);
      const f: CallFacts = {
        caller,
        traceId,
        requestedModel: req.model,
        model,
        fallbackFrom,
        stream: req.stream,
        cached: false,
        tokensIn: 0,
        tokensOut: 0,
        costNanos: 0,
        promptFindings: {},
        outputFindings: {},
        outcome: 'ok',
        t0,
        upstreamMs: 0,
        calledUpstream: false,
      };
      try {
        return await this.attempt(caller, { ...req, model }, f);
      } catch (err) {
        const next = declaredModel(caller.version.manifest.spec, model)?.fallback;
        if (next && !tried.has(next) && fallbackWorthy(err)) {
          fallbackFrom = model;
          f.outcome = outcomeOf(err);
          f.reason = (err as Error).message;
          await this.finish(f);
          model = next;
          continue;
        }
        f.outcome = outcomeOf(err);
        f.reason = (err as Error).message;
        // A refusal's record failing must not mask the refusal itself.
        await this.finish(f).catch(() => undefined);
        throw err;
      }
    }
  }

  /** Records the call; with `auditDurability: sync` it resolves only once the audit entry is durable. */
  private finish(f: CallFacts): Promise<void> {
    f.latencyMs = performance.now() - f.t0;
    return this.d.recorder.record(f);
  }

  private async attempt(caller: Caller, req: ChatRequest, f: CallFacts): Promise<Invocation> {
    const spec = caller.version.manifest.spec;
    const decl = declaredModel(spec, req.model);
    if (!decl)
      throw new PolicyDeniedError(
        `Model '${req.model}' is not declared in app '${caller.app}' version ${caller.version.version}'s manifest (declared: ${spec.models.map((m) => m.id).join(', ') || 'none'}); add it to spec.models and resubmit the app.`,
        { model: req.model },
      );
    const doc = this.d.catalog.model(req.model);
    if (!doc)
      throw new NotFoundError('Model', req.model, 'it is not in the catalog; ask an admin to add a Model entry');
    if (!doc.spec.environments.includes(spec.environment))
      throw new PolicyDeniedError(
        `Model '${req.model}' is not allowed in ${spec.environment} by the catalog (allowed: ${doc.spec.environments.join(', ')}); pick another model.`,
      );
    // Region residency is a policy matter (the catalog's region goes to govern() as a resource attribute).
    const provider = doc.spec.provider;
    const tokensIn = countInputTokens(req.messages, provider, this.d.config.anthropicTokenFactor);
    f.tokensIn = tokensIn;

    // Manifest caps first (they bound the estimate govern() sees), policy obligations after.
    let maxOut = req.maxTokens ?? decl.maxOutputTokens ?? this.d.config.defaultMaxOutputTokens;
    const estOut = min(maxOut, decl.maxOutputTokens) ?? maxOut;
    const estUsd = nanosToUsd(costNanos(doc, tokensIn, estOut));
    const decision = await this.d.governor.govern({
      action: 'model.invoke',
      subject: {
        user: caller.user,
        app: caller.app,
        appVersion: caller.version.version,
        session: caller.session,
        run: caller.runId,
        roles: [],
        groups: [],
      },
      resource: { type: 'model', id: req.model },
      request: {
        inputTokens: tokensIn,
        maxOutputTokens: estOut,
        temperature: req.temperature ?? null,
        estimatedCostUsd: estUsd,
        costUsd: estUsd,
        stream: req.stream,
        provider,
        requestedModel: f.requestedModel,
      },
      traceId: f.traceId,
    });
    f.decisionId = decision.id;
    if (decision.effect !== 'allow' || decision.errors.length) {
      // A limit the request itself breaks (inputTokens over maxInputTokens ...) is the caller's to fix: 400.
      const limit = decision.refusal?.code === 'limit_exceeded' ? decision.refusal.limit : undefined;
      if (limit && !decision.errors.length)
        throw new InvalidInputError(
          `Call to model '${req.model}' refused: ${decision.reason}`,
          [{ path: limit.field === 'inputTokens' ? 'messages' : limit.field, message: decision.reason }],
          { decisionId: decision.id, limit: limit.obligation },
        );
      // An outage, not a verdict: 503 so clients retry later, with the decision id like every refusal.
      if (decision.refusal?.code === 'store_unavailable')
        throw new UnavailableError(`Call to model '${req.model}' refused: ${decision.reason}`, {
          decisionId: decision.id,
          refusal: decision.refusal,
        });
      const why =
        decision.effect === 'require_approval'
          ? `needs approval: ${decision.reason}`
          : decision.reason || decision.errors.join('; ') || 'denied by policy';
      throw new PolicyDeniedError(`Call to model '${req.model}' refused: ${why}`, {
        decisionId: decision.id,
        model: req.model,
        refusal: decision.refusal,
      });
    }
    const o = decision.obligations;
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
      maxOut = fits;
    }

    const scope = `gw:${caller.app}:${caller.session ?? decision.id}`;
    const promptMode = dlpModeOf(o.promptDlp) ?? this.d.config.promptDlp;
    const outputMode = dlpModeOf(o.outputDlp) ?? this.d.config.outputDlp;
    const restore = o.restoreTokens === true;
    // Findings are counted into the call's facts as they are found, so a block is recorded with what it blocked.
    const guarded = guardPrompt(this.d.dlp, promptMode, req.messages, scope, f.promptFindings);
    const upReq: ChatRequest = { ...req, messages: guarded.messages, maxTokens: maxOut, temperature };
    const base = {
      decisionId: decision.id,
      model: req.model,
      requestedModel: f.requestedModel,
      ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
    };

    const cacheKey = spec.cache?.enabled
      ? createHash('sha256')
          .update(JSON.stringify([caller.app, req.model, upReq.messages, maxOut, temperature, req.topP, req.stop]))
          .digest('hex')
      : undefined;
    const hit = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (hit) {
      f.cached = true;
      const out = guardOutput(this.d.dlp, outputMode, hit.text, scope, restore, f.outputFindings);
      const result = { ...hit, text: out.text, costUsd: 0 };
      f.tokensOut = hit.usage.outputTokens;
      if (!req.stream) await this.finish(f);
      return {
        ...base,
        cached: true,
        upstreamMs: 0,
        ...(req.stream ? { stream: replay(result, () => this.finish(f)) } : { result }),
      };
    }

    const perSession = num(o, 'perSessionCostUsd');
    const limits: BudgetLimits = {
      appDailyNanos: toNanos(min(spec.budgets?.dailyCostUsd, num(o, 'dailyCostUsd'))),
      userDailyNanos: toNanos(min(spec.budgets?.perUserDailyCostUsd, num(o, 'perUserDailyCostUsd'))),
      sessionNanos: toNanos(perSession),
      requestsPerMinute: min(spec.budgets?.requestsPerMinute, num(o, 'requestsPerMinute')),
      tokensPerMinute: min(spec.budgets?.tokensPerMinute, num(o, 'tokensPerMinute')),
    };
    f.appDailyBudgetNanos = limits.appDailyNanos;
    const worst = costNanos(doc, tokensIn, maxOut);
    const reservation = await this.d.budgets.reserve(
      // A user named by an app key's request is unauthenticated: one shared bucket, or a new name per call would
      // bypass the per-user budget. Sessions and sandbox runs (internal) carry a user Gatehouse authenticated.
      {
        app: caller.app,
        user: caller.via === 'session' || caller.via === 'internal' ? caller.user : ANONYMOUS_BUCKET,
        session: caller.session,
      },
      limits,
      worst,
      tokensIn + maxOut,
    );
    const target: UpstreamTarget = {
      name: req.model,
      provider,
      baseUrl: doc.spec.upstream,
      upstreamModel: doc.spec.upstreamModel ?? req.model,
      key: '',
    };
    try {
      target.key = this.d.providerKey(doc);
      f.calledUpstream = true;
      const tUp = performance.now();
      if (!req.stream) {
        const r = await this.d.upstream.complete(target, upReq);
        f.upstreamMs = performance.now() - tUp;
        f.upstreamStatus = 200;
        const counted =
          r.usage.outputTokens >= 0
            ? r.usage.outputTokens
            : countTextTokens(r.text, provider, this.d.config.anthropicTokenFactor);
        if (counted > maxOut) {
          // The upstream ignored max_tokens: the caller gets no more than the cap (billing still follows the provider).
          r.text = decode(encode(r.text).slice(0, maxOut));
          r.finishReason = 'length';
          f.outcome = 'cut_off';
        }
        const out = guardOutput(this.d.dlp, outputMode, r.text, scope, restore, f.outputFindings);
        // Charged as streams are: never past the cap the reservation held, so an upstream that ignores max_tokens
        // cannot run a budget past its limit (the call is marked cut_off for the operator).
        const usage = {
          inputTokens: r.usage.inputTokens >= 0 ? r.usage.inputTokens : tokensIn,
          outputTokens: Math.min(maxOut, counted),
        };
        f.tokensIn = usage.inputTokens;
        f.tokensOut = usage.outputTokens;
        f.costNanos = Math.min(worst, costNanos(doc, usage.inputTokens, usage.outputTokens));
        f.appDailyCostNanos = await reservation.settle(f.costNanos, usage.inputTokens + usage.outputTokens);
        if (cacheKey)
          this.cache.set(
            cacheKey,
            { text: r.text, finishReason: r.finishReason, usage },
            { ttl: (spec.cache?.ttlSeconds ?? 3600) * 1000 },
          );
        await this.finish(f);
        return {
          ...base,
          cached: false,
          upstreamMs: f.upstreamMs,
          result: { text: out.text, finishReason: r.finishReason, usage, costUsd: nanosToUsd(f.costNanos) },
        };
      }
      const events = await this.d.upstream.stream(target, upReq);
      f.upstreamMs = performance.now() - tUp;
      f.upstreamStatus = 200;
      const signal = this.d.cutSignal?.({
        app: caller.app,
        appVersion: caller.version.version,
        user: caller.user,
        model: req.model,
      });
      const stream = streamAnswer({
        events: abortable(events, signal),
        doc,
        maxOut,
        dlp: this.d.dlp,
        outputMode,
        scope,
        restore,
        facts: f,
        reservation,
        anthropicFactor: this.d.config.anthropicTokenFactor,
        done: () => this.finish(f),
      });
      return { ...base, cached: false, upstreamMs: f.upstreamMs, stream };
    } catch (err) {
      if (err instanceof UpstreamError) f.upstreamStatus = err.upstreamStatus;
      f.appDailyCostNanos = await reservation.settle(f.costNanos, f.tokensIn + f.tokensOut);
      throw err;
    }
  }
}

/** Budget bucket of every user an app key's requests name (they are not authenticated). */
export const ANONYMOUS_BUCKET = '(unauthenticated)';

const toNanos = (usd: number | undefined) => (usd === undefined ? undefined : usdToNanos(usd));

/** Budget exhausted, upstream failing, or a refusal of this model only (its kill switch, a cap's route). */
function fallbackWorthy(err: unknown): boolean {
  if (err instanceof LimitExceededError) return COST_BUDGETS.has(String(err.extra.budget));
  if (err instanceof UpstreamError) return true;
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

async function* replay(r: ChatResult & { costUsd: number }, done: () => Promise<void>): AsyncGenerator<StreamEvent> {
  try {
    if (r.text) yield { type: 'text', text: r.text };
    yield { type: 'done', finishReason: r.finishReason, usage: r.usage, costUsd: 0 };
  } finally {
    // Sync durability: the stream ends (its last chunk) only after the record; a failure breaks the response.
    await done();
  }
}
