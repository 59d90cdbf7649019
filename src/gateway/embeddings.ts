// POST /v1/embeddings, governed like chat: the model declared and in the catalog for the app's environment,
// govern() (action model.invoke, request.embeddings), input tokens counted and capped, prompt DLP on every input
// (mask or block), the cost reserved against budgets and settled from the provider's usage, one call record.
import { performance } from 'node:perf_hooks';
import type { Hono } from 'hono';
import { z } from 'zod';
import { InvalidInputError, NotFoundError, PolicyDeniedError } from '../core/errors.js';
import { dlpModeOf } from '../core/dlp-mode-limit.js';
import { parseOrThrow } from '../core/validation.js';
import { readJsonBody } from '../http/server.js';
import { declaredModel } from '../policy/scope.js';
import type { SurfaceDeps } from './anthropic-surface.js';
import { budgetLimits, callLimits, keyBudgetLimits, refusalOf } from './call-limits.js';
import { checkKeyModel } from './key-policy.js';
import { outcomeOf } from './call-outcome.js';
import { newCallFacts, type CallFacts } from './call-records.js';
import { promptRedactor } from './dlp-guard.js';
import type { Caller } from './gateway-types.js';
import { budgetUserOf, type InvokerDeps } from './model-invoker.js';
import { residencyOf } from '../catalog/residency.js';
import { modelCallInput } from './model-call-input.js';
import { openAiError } from './openai-surface.js';
import { refusalInput, stampRefusal } from './refusal-record.js';
import { invocationHeaders, modelName, callerOf } from './surface-common.js';
import { costNanos, countTextTokens } from './tokens.js';
import { adapterOf } from './providers/provider-registry.js';

export const embeddingsBody = z
  .object({
    model: z.string().min(1, 'name a model declared in your app manifest'),
    input: z.union([z.string(), z.array(z.string()).min(1)], {
      error: 'input is a string or a list of strings (token arrays cannot be scanned by DLP)',
    }),
    user: z.string().optional(),
  })
  .loose();

export class Embedder {
  constructor(private readonly d: InvokerDeps) {}

  async embed(caller: Caller, raw: Record<string, unknown>, model: string, inputs: string[]) {
    const f = newCallFacts(caller, model, { t0: performance.now() });
    const finish = () => {
      f.latencyMs = performance.now() - f.t0;
      return this.d.recorder.record(f);
    };
    let out;
    try {
      out = await this.attempt(caller, raw, model, inputs, f);
    } catch (err) {
      const prior = f.decisionId ? { id: f.decisionId, allowed: f.decisionAllowed === true } : undefined;
      const input = f.governInput ?? refusalInput(caller, model, { embeddings: true });
      f.decisionId = await stampRefusal(this.d.governor, input, err, prior);
      f.outcome = outcomeOf(err);
      f.reason = (err as Error).message;
      // A refusal's record failing must not mask the refusal itself.
      await finish().catch(() => undefined);
      throw err;
    }
    // As for chat: with auditDurability sync the answer waits for its record (and fails if it cannot be kept).
    await finish();
    return out;
  }

  private async attempt(caller: Caller, raw: Record<string, unknown>, model: string, inputs: string[], f: CallFacts) {
    const spec = caller.version.manifest.spec;
    const decl = declaredModel(spec, model);
    if (!decl)
      throw new PolicyDeniedError(
        `Model '${model}' is not declared in app '${caller.app}' version ${caller.version.version}'s manifest; add it to spec.models and resubmit the app.`,
        { model },
      );
    const doc = this.d.catalog.model(model);
    if (!doc || !doc.spec.environments.includes(spec.environment))
      throw new NotFoundError('Model', model, `it is not in the catalog for ${spec.environment}`);
    const adapter = adapterOf(doc);
    if (!adapter.embeddings)
      throw new InvalidInputError(
        `Model '${model}' cannot embed: its provider (${doc.spec.provider}) serves no embeddings.`,
        [{ path: 'model', message: 'pick an embedding model of a provider that serves embeddings' }],
      );
    const tokensIn = inputs.reduce((n, s) => n + countTextTokens(s, doc.spec.provider), 0);
    f.tokensIn = tokensIn;
    const req = { model, messages: inputs.map((content) => ({ role: 'user' as const, content })), stream: false };
    const estUsd = costNanos(doc, tokensIn, 0) / 1e9;
    const input = modelCallInput({
      caller,
      req,
      facts: f,
      provider: doc.spec.provider,
      tokensIn,
      estOut: 0,
      estUsd,
      tools: [],
    });
    f.governInput = { ...input, request: { ...input.request, embeddings: true } };
    const decision = await this.d.governor.govern(f.governInput);
    f.decisionId = decision.id;
    f.decisionAllowed = decision.effect === 'allow' && !decision.errors.length;
    if (decision.effect !== 'allow' || decision.errors.length) throw refusalOf(decision, model);
    checkKeyModel(caller.key, model, decision.id);
    callLimits({ caller, req, decl, doc, decision, tokensIn, maxOut: 0, tools: [] });
    const o = decision.obligations;
    const redact = promptRedactor(
      this.d.dlp,
      dlpModeOf(o.promptDlp) ?? this.d.config.promptDlp,
      `gw:${caller.app}:${decision.id}`,
      f.promptFindings,
    );
    const scanned: string[] = [];
    // One after another, like chat's prompt DLP: the first block stops the call.
    for (const text of inputs) scanned.push(redact ? await redact(text) : text);
    // The same deployment routing as chat: residency first (fail closed), then limits, circuits and weights.
    const route = this.d.router.begin(doc, residencyOf(spec, this.d.catalog), tokensIn);
    if (!route.trace.implicit) f.routing = route.trace;
    if (route.empty) throw route.exhausted(caller.app);
    const worst = costNanos(doc, tokensIn, 0);
    const user = budgetUserOf(caller);
    const reservation = await this.d.budgets.reserve(
      { app: caller.app, user, session: caller.session, key: caller.key?.id },
      { ...budgetLimits(spec.budgets, o), ...keyBudgetLimits(caller.key) },
      worst,
      tokensIn,
    );
    try {
      const key = adapter.needsKey(doc) ? this.d.providerKey(doc) : '';
      const t = performance.now();
      const input = typeof raw.input === 'string' ? scanned[0] : scanned;
      const deadlineAt = Date.now() + this.d.config.deadlineMs;
      const answer = await route.run(caller.app, deadlineAt, (dep) => {
        f.calledUpstream = true;
        const target = { name: model, doc, baseUrl: dep.upstream, upstreamModel: dep.upstreamModel, key };
        return this.d.upstream.embed(target, { ...raw, model: dep.upstreamModel, input }, deadlineAt);
      });
      f.upstreamMs = performance.now() - t;
      f.upstreamStatus = 200;
      const used = (answer.usage as { prompt_tokens?: number } | undefined)?.prompt_tokens;
      f.tokensIn = typeof used === 'number' ? used : tokensIn;
      f.costNanos = Math.min(worst, costNanos(doc, f.tokensIn, 0));
      return { decisionId: decision.id, upstreamMs: f.upstreamMs, answer: { ...answer, model } };
    } finally {
      f.appDailyCostNanos = await reservation.settle(f.costNanos, f.tokensIn);
    }
  }
}

export function mountEmbeddings(app: Hono, d: SurfaceDeps, embedder: Embedder): void {
  app.post('/v1/embeddings', async (c) => {
    const tStart = performance.now();
    let who: Caller | undefined;
    let asked = '';
    try {
      const keyHolder = (who = await callerOf(c, d.credentials));
      const raw = (await readJsonBody(c, d.maxBodyBytes)) as Record<string, unknown>;
      asked = modelName(raw);
      const body = parseOrThrow(embeddingsBody, raw, 'embeddings request');
      const caller = d.credentials.withUser(keyHolder, body.user ?? c.req.header('x-gatehouse-user'));
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      const r = await embedder.embed(caller, raw, body.model, inputs);
      const headers = invocationHeaders({ ...r, model: body.model, requestedModel: body.model, cached: false }, tStart);
      return c.json(r.answer, 200, headers);
    } catch (err) {
      // A refusal before the invoker (bad input) is recorded too, against the key's app.
      if (who) await d.invoker.stamp(who, asked, err);
      return openAiError(c, err);
    }
  });
}
