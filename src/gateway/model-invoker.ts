// The gateway pipeline for one model call: declared model → govern() → caps → DLP → cache → budget reservation
// → upstream (retries, breaker) → output DLP and cap → settle → records. Fallbacks re-run it on a cheaper model.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import type { CatalogReader, ModelDoc } from '../catalog/catalog-schema.js';
import type { Clock } from '../core/clock.js';
import { NotFoundError, PolicyDeniedError } from '../core/errors.js';
import { dlpModeOf } from '../core/dlp-mode-limit.js';
import type { CutSignalFor, Governor } from '../core/governance.js';
import type { DlpEngine } from '../dlp/index.js';
import type { Budgets } from './budgets.js';
import { newCallFacts, type CallFacts, type CallRecorder } from './call-records.js';
import { guardAnswerAsync, promptRedactor } from './dlp-guard.js';
import { modelCallInput } from './model-call-input.js';
import { fallbackWorthy, outcomeOf, replay } from './call-outcome.js';
import {
  budgetLimits,
  callLimits,
  checkModalities,
  checkOutputFields,
  keyBudgetLimits,
  min,
  refusalOf,
  reserveFitting,
  type Lowered,
} from './call-limits.js';
import { checkKeyModel } from './key-policy.js';
import type { GatewayConfig } from './gateway-config.js';
import type { Caller, ChatRequest, ChatResult, StreamEvent } from './gateway-types.js';
import { finalBody, redactBodyText } from './wire-body.js';
import { toProvider } from './wire-translate.js';
import { streamAnswer } from './stream-answer.js';
import { refusalInput, stampRefusal } from './refusal-record.js';
import { checkImageEgress } from './image-egress.js';
import { declaredModel } from '../policy/scope.js';
import { abortable } from '../core/abortable.js';
import { decode, encode } from 'gpt-tokenizer';
import { costNanos, countInputTokens, countTextTokens, nanosToUsd } from './tokens.js';
import { UpstreamError, type UpstreamCall, type UpstreamClient, type UpstreamTarget } from './upstream-client.js';
import { adapterOf } from './providers/provider-registry.js';
import { residencyOf } from '../catalog/residency.js';
import type { DeploymentRouter } from './routing/deployment-router.js';

export interface InvokerDeps {
  governor: Governor;
  catalog: CatalogReader;
  budgets: Budgets;
  upstream: UpstreamClient;
  /** Picks the deployment of a model each upstream call goes to (docs/gateway.md, Routing). */
  router: DeploymentRouter;
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
  /** The output cap the gateway lowered to fit a cost cap or budget (header x-gatehouse-max-tokens-lowered). */
  maxTokensLowered?: Lowered;
}

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
      const f = newCallFacts(caller, model, {
        requestedModel: req.model,
        fallbackFrom,
        stream: req.stream,
        traceId,
        t0,
      });
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
        // Every refusal carries a decision id naming a deny in the decision log (refusal-record.ts).
        f.decisionId = await this.stamp(caller, model, err, f);
        f.outcome = outcomeOf(err);
        f.reason = (err as Error).message;
        // A refusal's record failing must not mask the refusal itself.
        await this.finish(f).catch(() => undefined);
        throw err;
      }
    }
  }

  /** The decision id a refusal answers with, recording the refusal when govern() did not make it. */
  stamp(caller: Caller, model: string, err: unknown, f?: CallFacts): Promise<string | undefined> {
    const prior = f?.decisionId ? { id: f.decisionId, allowed: f.decisionAllowed === true } : undefined;
    const input = f?.governInput ?? refusalInput(caller, model, { stream: f?.stream ?? false });
    return stampRefusal(this.d.governor, input, err, prior);
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
    const adapter = adapterOf(doc);
    // The protocol the body is translated into; the adapter then builds the provider's own request from it.
    const provider = adapter.wire;
    // Translation first: a field that cannot reach this provider is the caller's to fix (400) before anything runs.
    const wire = toProvider(req.protocol ?? 'openai', provider, req.body ?? { messages: req.messages });
    adapter.check(wire.body, doc);
    const tools = req.tools ?? [];
    if (tools.length) f.toolsOffered = tools;
    checkModalities(doc, req);
    checkImageEgress(caller, req.body);
    const tokensIn = countInputTokens(req.messages, doc.spec.provider, this.d.config.anthropicTokenFactor);
    f.tokensIn = tokensIn;

    // Manifest caps first (they bound the estimate govern() sees), policy obligations after.
    const askedOut = req.maxTokens ?? decl.maxOutputTokens ?? this.d.config.defaultMaxOutputTokens;
    const estOut = min(askedOut, decl.maxOutputTokens) ?? askedOut;
    const estUsd = nanosToUsd(costNanos(doc, tokensIn, estOut));
    f.governInput = modelCallInput({
      caller,
      req,
      facts: f,
      provider: doc.spec.provider,
      tokensIn,
      estOut,
      estUsd,
      tools,
    });
    const decision = await this.d.governor.govern(f.governInput);
    f.decisionId = decision.id;
    f.decisionAllowed = decision.effect === 'allow' && !decision.errors.length;
    if (decision.effect !== 'allow' || decision.errors.length) throw refusalOf(decision, req.model);
    checkKeyModel(caller.key, req.model, decision.id);
    const o = decision.obligations;
    const limited = callLimits({ caller, req, decl, doc, decision, tokensIn, maxOut: askedOut, tools });
    let { maxOut, lowered } = limited;
    const { temperature } = limited;

    const scope = `gw:${caller.app}:${caller.session ?? decision.id}`;
    const promptMode = dlpModeOf(o.promptDlp) ?? this.d.config.promptDlp;
    const outputMode = dlpModeOf(o.outputDlp) ?? this.d.config.outputDlp;
    const restore = o.restoreTokens === true;
    // Findings are counted into the call's facts as they are found, so a block is recorded with what it blocked.
    checkOutputFields(req.model, provider, wire.body, outputMode, temperature, decision.id);
    const body = await redactBodyText(
      provider,
      wire.body,
      promptRedactor(this.d.dlp, promptMode, scope, f.promptFindings),
    );
    const jsonMode = req.jsonMode === true;
    const base = {
      decisionId: decision.id,
      model: req.model,
      requestedModel: f.requestedModel,
      ...(f.fallbackFrom ? { fallbackFrom: f.fallbackFrom } : {}),
    };

    const cacheKey = spec.cache?.enabled
      ? createHash('sha256')
          .update(JSON.stringify([caller.app, req.model, body, maxOut, temperature]))
          .digest('hex')
      : undefined;
    const hit = cacheKey ? this.cache.get(cacheKey) : undefined;
    if (hit) {
      f.cached = true;
      const out = await guardAnswerAsync(this.d.dlp, outputMode, hit, scope, restore, jsonMode, f.outputFindings);
      const result = { ...hit, ...out, costUsd: 0 };
      f.tokensOut = hit.usage.outputTokens;
      if (!req.stream) await this.finish(f);
      return {
        ...base,
        ...(lowered ? { maxTokensLowered: lowered } : {}),
        cached: true,
        upstreamMs: 0,
        ...(req.stream ? { stream: replay(result, () => this.finish(f)) } : { result }),
      };
    }

    // Deployments outside the app's data residency are dropped before anything is reserved; none left fails closed.
    const route = this.d.router.begin(doc, residencyOf(spec, this.d.catalog), tokensIn + maxOut);
    if (!route.trace.implicit) f.routing = route.trace;
    if (route.empty) throw route.exhausted(caller.app);
    const limits = { ...budgetLimits(spec.budgets, o), ...keyBudgetLimits(caller.key) };
    f.appDailyBudgetNanos = limits.appDailyNanos;
    const fitted = await reserveFitting({
      budgets: this.d.budgets,
      // A user named by an app key's request is unauthenticated: one shared bucket, or a new name per call would
      // bypass the per-user budget. Sessions and sandbox runs (internal) carry a user Gatehouse authenticated.
      scope: { app: caller.app, user: budgetUserOf(caller), session: caller.session, key: caller.key?.id },
      limits,
      doc,
      tokensIn,
      maxOut,
      // The maxCostUsd rule: lowered to fit when the caller named no max_tokens (or a policy clamps), else refused.
      mayLower: req.maxTokens === undefined || o.clampLimits === true,
    });
    const { reservation } = fitted;
    if (fitted.maxOut < maxOut) lowered = { from: lowered?.from ?? maxOut, to: fitted.maxOut, by: fitted.by! };
    maxOut = fitted.maxOut;
    const worst = costNanos(doc, tokensIn, maxOut);
    try {
      const key = adapter.needsKey(doc) ? this.d.providerKey(doc) : '';
      const tUp = performance.now();
      // One deadline for the call: a deployment failing with a retryable error hands over to the next within it.
      const deadlineAt = Date.now() + this.d.config.deadlineMs;
      const routed = <T>(send: (t: UpstreamTarget, call: UpstreamCall) => Promise<T>): Promise<T> =>
        route.run(caller.app, deadlineAt, (dep) => {
          const target = { name: req.model, doc, baseUrl: dep.upstream, upstreamModel: dep.upstreamModel, key };
          const opts = { model: dep.upstreamModel, maxTokens: maxOut, temperature, stream: req.stream };
          f.calledUpstream = true;
          return send(target, { body: finalBody(provider, body, opts), jsonTool: wire.jsonTool, deadlineAt });
        });
      if (!req.stream) {
        const r = await routed((t, call) => this.d.upstream.complete(t, call));
        f.upstreamMs = performance.now() - tUp;
        f.upstreamStatus = 200;
        const counted =
          r.usage.outputTokens >= 0
            ? r.usage.outputTokens
            : countTextTokens(r.text, doc.spec.provider, this.d.config.anthropicTokenFactor);
        if (counted > maxOut) {
          // The upstream ignored max_tokens: the caller gets no more than the cap (billing still follows the provider).
          r.text = decode(encode(r.text).slice(0, maxOut));
          r.finishReason = 'length';
          f.outcome = 'cut_off';
        }
        const out = await guardAnswerAsync(this.d.dlp, outputMode, r, scope, restore, jsonMode, f.outputFindings);
        if (r.toolCalls?.length) f.toolCalls = r.toolCalls.map((c) => c.name);
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
        if (cacheKey && !lowered)
          this.cache.set(
            cacheKey,
            { text: r.text, finishReason: r.finishReason, usage, toolCalls: r.toolCalls, passthrough: r.passthrough },
            { ttl: (spec.cache?.ttlSeconds ?? 3600) * 1000 },
          );
        await this.finish(f);
        return {
          ...base,
          ...(lowered ? { maxTokensLowered: lowered } : {}),
          cached: false,
          upstreamMs: f.upstreamMs,
          result: { ...r, ...out, usage, costUsd: nanosToUsd(f.costNanos) },
        };
      }
      const events = await routed((t, call) => this.d.upstream.stream(t, call));
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
      return {
        ...base,
        ...(lowered ? { maxTokensLowered: lowered } : {}),
        cached: false,
        upstreamMs: f.upstreamMs,
        stream,
      };
    } catch (err) {
      if (err instanceof UpstreamError) f.upstreamStatus = err.upstreamStatus;
      f.appDailyCostNanos = await reservation.settle(f.costNanos, f.tokensIn + f.tokensOut);
      throw err;
    }
  }
}

/** Budget bucket of every user an app key's requests name (they are not authenticated). */
export const ANONYMOUS_BUCKET = '(unauthenticated)';

/**
 * The per-user budget bucket: the caller's own user when Gatehouse authenticated it (a session, a user's API or IdP
 * token, a sandbox run), else one shared bucket, so a name an app key puts in a request cannot open a new budget.
 */
export function budgetUserOf(caller: Caller): string {
  return caller.via === 'session' ||
    caller.via === 'identity' ||
    caller.via === 'internal' ||
    caller.key?.owner?.startsWith('user:')
    ? caller.user
    : ANONYMOUS_BUCKET;
}
