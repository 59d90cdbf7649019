// OpenAI-compatible surface: POST /v1/chat/completions (JSON and SSE, usage included),
// with errors in OpenAI's own shape so the official `openai` client reports them as they are.
import { performance } from 'node:perf_hooks';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { parseOrThrow } from '../core/validation.js';
import { readJsonBody } from '../http/server.js';
import type { SurfaceDeps } from './anthropic-surface.js';
import type { Caller, ChatRequest, StreamEvent, ToolCall } from './gateway-types.js';
import { flatMessages, hasImages, offeredTools } from './wire-body.js';
import { errorHeaders, modelName, invocationHeaders, sseResponse, toError, callerOf } from './surface-common.js';

// Only what the gateway itself reads is checked here; every other field goes on to the provider (same protocol) or
// through the translation table (wire-fields.ts), which refuses what it cannot carry.
const part = z.object({ type: z.string({ error: 'each content part needs a type' }) }).loose();
export const openAiBody = z
  .object({
    model: z.string().min(1, 'name a model declared in your app manifest'),
    messages: z
      .array(
        z
          .object({
            role: z.enum(
              ['system', 'developer', 'user', 'assistant', 'tool'],
              'roles are system, developer, user, assistant and tool',
            ),
            content: z.union([z.string(), z.array(part)]).nullish(),
          })
          .loose(),
      )
      .min(1, 'send at least one message'),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    n: z.literal(1, 'the gateway returns one choice; omit n or set it to 1').nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
    user: z.string().optional(),
    tools: z.array(z.object({ type: z.string() }).loose()).nullish(),
    response_format: z
      .object({ type: z.enum(['text', 'json_object', 'json_schema']) })
      .loose()
      .nullish(),
  })
  .loose();

const ERROR_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

export function openAiError(c: Context, err: unknown): Response {
  const e = toError(err);
  // An upstream's own error keeps its type, param and code; Gatehouse's facts ride alongside.
  const p = (e.extra.providerError ?? {}) as Record<string, unknown>;
  const body = {
    error: {
      message: e.message,
      type: typeof p.type === 'string' ? p.type : (ERROR_TYPE[e.status] ?? 'server_error'),
      param: p.param ?? e.details[0]?.path ?? null,
      code: p.code ?? e.code,
      gatehouse: { code: e.code, ...e.extra },
    },
  };
  return c.json(body, e.status as 400, errorHeaders(e));
}

export function toChat(raw: Record<string, unknown>, b: z.output<typeof openAiBody>): ChatRequest {
  return {
    model: b.model,
    messages: flatMessages('openai', raw),
    maxTokens: b.max_tokens ?? b.max_completion_tokens ?? undefined,
    temperature: b.temperature ?? undefined,
    stream: b.stream === true,
    protocol: 'openai',
    body: raw,
    tools: offeredTools('openai', raw),
    jsonMode: b.response_format != null && b.response_format.type !== 'text',
    hasImages: hasImages(raw),
  };
}

const toolCall = (c: ToolCall) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } });

/** SSE frames; frames ready at the same moment go out as one string (one socket write instead of up to four). */
async function* frames(
  events: AsyncIterable<StreamEvent>,
  id: string,
  model: string,
  includeUsage: boolean,
): AsyncGenerator<string> {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  // The role frame rides with the first content (or the end): nothing in it is worth a write of its own.
  let head = chunk({ role: 'assistant', content: '' }, null);
  for await (const ev of events) {
    if (ev.type === 'text') yield head + chunk({ content: ev.text }, null);
    else if (ev.type === 'tool_call')
      yield head + chunk({ tool_calls: [{ index: ev.index, ...toolCall(ev.call) }] }, null);
    else if (ev.type === 'done') {
      const usage = includeUsage
        ? `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: ev.usage.inputTokens, completion_tokens: ev.usage.outputTokens, total_tokens: ev.usage.inputTokens + ev.usage.outputTokens }, gatehouse: { cost_usd: ev.costUsd } })}\n\n`
        : '';
      yield head + chunk({}, ev.finishReason) + usage + 'data: [DONE]\n\n';
    } else {
      // The openai client turns a data frame carrying `error` into an APIError for the caller.
      yield `${head}data: ${JSON.stringify({ error: { message: ev.message, type: ERROR_TYPE[ev.status] ?? 'server_error', code: ev.code } })}\n\n`;
      return;
    }
    head = '';
  }
  if (head) yield head;
}

export function mountOpenAi(app: Hono, d: SurfaceDeps): void {
  app.post('/v1/chat/completions', async (c) => {
    const tStart = performance.now();
    let who: Caller | undefined;
    let asked = '';
    try {
      // Authenticate before reading the body, so an anonymous client cannot make the server buffer anything.
      const keyHolder = (who = await callerOf(c, d.credentials));
      const raw = await readJsonBody(c, d.maxBodyBytes);
      asked = modelName(raw);
      const body = parseOrThrow(openAiBody, raw, 'chat completion request');
      const caller = d.credentials.withUser(keyHolder, body.user ?? c.req.header('x-gatehouse-user'));
      const inv = await d.invoker.invoke(
        caller,
        toChat(raw as Record<string, unknown>, body),
        c.req.header('x-gatehouse-trace-id'),
      );
      const headers = invocationHeaders(inv, tStart);
      const id = `chatcmpl-${inv.decisionId}`;
      if (inv.stream)
        return sseResponse(frames(inv.stream, id, inv.model, body.stream_options?.include_usage === true), headers);
      const r = inv.result!;
      return c.json(
        {
          id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: inv.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: r.toolCalls?.length && !r.text ? null : r.text,
                refusal: null,
                ...(r.toolCalls?.length ? { tool_calls: r.toolCalls.map(toolCall) } : {}),
              },
              finish_reason: r.finishReason,
              logprobs: r.passthrough?.logprobs ?? null,
            },
          ],
          ...(r.passthrough?.system_fingerprint ? { system_fingerprint: r.passthrough.system_fingerprint } : {}),
          usage: {
            prompt_tokens: r.usage.inputTokens,
            completion_tokens: r.usage.outputTokens,
            total_tokens: r.usage.inputTokens + r.usage.outputTokens,
          },
        },
        200,
        headers,
      );
    } catch (err) {
      // A refusal before the invoker (bad input) is recorded too, against the key's app.
      if (who) await d.invoker.stamp(who, asked, err);
      return openAiError(c, err);
    }
  });
}
