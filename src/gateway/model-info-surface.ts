// What an app may ask about its models without calling one: GET /v1/models and /v1/models/{id} (OpenAI shape, or
// Anthropic's when `anthropic-version` is sent) and POST /v1/messages/count_tokens (Anthropic's token count).
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { ModelDoc } from '../catalog/catalog-schema.js';
import { NotFoundError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { readJsonBody } from '../http/server.js';
import { declaredModel } from '../policy/scope.js';
import { anthropicError, type SurfaceDeps } from './anthropic-surface.js';
import type { Caller } from './gateway-types.js';
import { modelAllowed } from './key-policy.js';
import { openAiError } from './openai-surface.js';
import { callerOf } from './surface-common.js';
import { countInputTokens, countTextTokens } from './tokens.js';
import { flatMessages } from './wire-body.js';

export const countBody = z
  .object({
    model: z.string().min(1, 'name a model declared in your app manifest'),
    messages: z.array(z.object({ role: z.enum(['user', 'assistant']) }).loose()).min(1, 'send at least one message'),
    tools: z.array(z.object({}).loose()).optional(),
  })
  .loose();

const anthropicCaller = (c: Context) => Boolean(c.req.header('anthropic-version'));

function modelJson(c: Context, m: ModelDoc): Record<string, unknown> {
  return anthropicCaller(c)
    ? { type: 'model', id: m.metadata.name, display_name: m.metadata.name, created_at: '2026-01-01T00:00:00Z' }
    : { id: m.metadata.name, object: 'model', created: 0, owned_by: m.spec.provider };
}

/** The models the caller's manifest declares, the catalog allows in its environment and its key may call. */
function usable(d: SurfaceDeps, caller: Caller): ModelDoc[] {
  const spec = caller.version.manifest.spec;
  return spec.models
    .map((m) => d.catalog.model(m.id))
    .filter(
      (m): m is ModelDoc =>
        m !== undefined &&
        m.spec.environments.includes(spec.environment) &&
        (!caller.key || modelAllowed(caller.key.limits, m.metadata.name)),
    );
}

function usableModel(d: SurfaceDeps, caller: Caller, id: string): ModelDoc {
  const m = usable(d, caller).find((x) => x.metadata.name === id);
  if (!m || !declaredModel(caller.version.manifest.spec, id))
    throw new NotFoundError('Model', id, `app '${caller.app}' does not declare it for its environment`);
  return m;
}

export function mountModelInfo(app: Hono, d: SurfaceDeps, anthropicTokenFactor: number): void {
  const fail = (c: Context, err: unknown) => (anthropicCaller(c) ? anthropicError(c, err) : openAiError(c, err));

  app.get('/v1/models', async (c) => {
    try {
      const models = usable(d, await callerOf(c, d.credentials)).map((m) => modelJson(c, m));
      if (anthropicCaller(c))
        return c.json({
          data: models,
          has_more: false,
          first_id: models[0]?.id ?? null,
          last_id: models.at(-1)?.id ?? null,
        });
      return c.json({ object: 'list', data: models });
    } catch (err) {
      return fail(c, err);
    }
  });

  app.get('/v1/models/:id', async (c) => {
    try {
      const caller = await callerOf(c, d.credentials);
      return c.json(modelJson(c, usableModel(d, caller, c.req.param('id'))));
    } catch (err) {
      return fail(c, err);
    }
  });

  app.post('/v1/messages/count_tokens', async (c) => {
    try {
      const caller = await callerOf(c, d.credentials);
      const raw = (await readJsonBody(c, d.maxBodyBytes)) as Record<string, unknown>;
      const body = parseOrThrow(countBody, raw, 'count_tokens request');
      const provider = usableModel(d, caller, body.model).spec.provider;
      // The gateway's own count (the one caps and budgets use), not the provider's: no call leaves Gatehouse.
      const tools = body.tools ? countTextTokens(JSON.stringify(body.tools), provider, anthropicTokenFactor) : 0;
      const n = countInputTokens(flatMessages('anthropic', raw), provider, anthropicTokenFactor) + tools;
      return c.json({ input_tokens: n });
    } catch (err) {
      return anthropicError(c, err);
    }
  });
}
