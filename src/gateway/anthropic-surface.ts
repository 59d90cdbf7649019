// Anthropic-compatible surface: POST /v1/messages (JSON and SSE with the Messages event sequence), with
// errors in Anthropic's shape (`{type:'error', error:{type, message}}`, `event: error` mid-stream).
import { performance } from 'node:perf_hooks';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { CatalogReader } from '../catalog/catalog-schema.js';
import type { Logger } from '../core/logger.js';
import { parseOrThrow } from '../core/validation.js';
import { readJsonBody } from '../http/server.js';
import type { Credentials } from './credentials.js';
import type { Caller, ChatRequest, FinishReason, StreamEvent, ToolCall } from './gateway-types.js';
import { flatMessages, hasImages, offeredTools } from './wire-body.js';
import type { ModelInvoker } from './model-invoker.js';
import { errorHeaders, modelName, invocationHeaders, sseResponse, toError, callerOf } from './surface-common.js';

export interface SurfaceDeps {
  credentials: Credentials;
  invoker: ModelInvoker;
  catalog: CatalogReader;
  maxBodyBytes: number;
  logger: Logger;
}

// Only what the gateway itself reads is checked here; every other field goes on to the provider (same protocol) or
// through the translation table (wire-fields.ts), which refuses what it cannot carry.
const block = z.object({ type: z.string({ error: 'each content block needs a type' }) }).loose();
const content = z.union([z.string(), z.array(block)]);
export const messagesBody = z
  .object({
    model: z.string().min(1, 'name a model declared in your app manifest'),
    max_tokens: z.number().int().positive(),
    messages: z
      .array(z.object({ role: z.enum(['user', 'assistant']), content }).loose())
      .min(1, 'send at least one message'),
    system: content.optional(),
    temperature: z.number().min(0).max(1).optional(),
    stream: z.boolean().optional(),
    metadata: z.object({ user_id: z.string().nullish() }).loose().optional(),
    tools: z.array(z.object({ name: z.string().optional(), type: z.string().optional() }).loose()).optional(),
  })
  .loose();

const ERROR_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
};
const STOP: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  content_filter: 'refusal',
  tool_calls: 'tool_use',
};

const toolUse = (c: ToolCall) => ({ type: 'tool_use', id: c.id, name: c.name, input: parseInput(c.arguments) });
function parseInput(args: string): unknown {
  try {
    return JSON.parse(args || '{}');
  } catch {
    return {};
  }
}

export function anthropicError(c: Context, err: unknown): Response {
  const e = toError(err);
  // An upstream's own error keeps its type; Gatehouse's facts ride alongside.
  const p = (e.extra.providerError ?? {}) as Record<string, unknown>;
  return c.json(
    {
      type: 'error',
      error: {
        type: typeof p.type === 'string' && e.status < 500 ? p.type : (ERROR_TYPE[e.status] ?? 'api_error'),
        message: e.message,
      },
      gatehouse: { code: e.code, ...e.extra },
    },
    e.status as 400,
    errorHeaders(e),
  );
}

function toChat(raw: Record<string, unknown>, b: z.output<typeof messagesBody>): ChatRequest {
  return {
    model: b.model,
    messages: flatMessages('anthropic', raw),
    maxTokens: b.max_tokens,
    temperature: b.temperature,
    stream: b.stream === true,
    protocol: 'anthropic',
    body: raw,
    tools: offeredTools('anthropic', raw),
    hasImages: hasImages(raw),
  };
}

async function* frames(events: AsyncIterable<StreamEvent>, id: string, model: string): AsyncGenerator<string> {
  const ev = (name: string, data: Record<string, unknown>) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  let out = ev('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  });
  // Blocks open as content arrives: text first when there is any, then one tool_use block per call.
  let index = -1;
  let textOpen = false;
  const close = () => (index >= 0 ? ev('content_block_stop', { index }) : '');
  for await (const e of events) {
    if (e.type === 'text') {
      if (!textOpen) {
        out += close() + ev('content_block_start', { index: ++index, content_block: { type: 'text', text: '' } });
        textOpen = true;
      }
      yield out + ev('content_block_delta', { index, delta: { type: 'text_delta', text: e.text } });
    } else if (e.type === 'tool_call') {
      textOpen = false;
      const start = { type: 'tool_use', id: e.call.id, name: e.call.name, input: {} };
      yield (
        out +
        close() +
        ev('content_block_start', { index: ++index, content_block: start }) +
        ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: e.call.arguments } })
      );
    } else if (e.type === 'done') {
      if (index < 0) out += ev('content_block_start', { index: ++index, content_block: { type: 'text', text: '' } });
      yield (
        out +
        close() +
        ev('message_delta', {
          delta: { stop_reason: STOP[e.finishReason], stop_sequence: null },
          usage: { input_tokens: e.usage.inputTokens, output_tokens: e.usage.outputTokens },
        }) +
        ev('message_stop', {})
      );
    } else {
      yield `${out}event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: ERROR_TYPE[e.status] ?? 'api_error', message: e.message } })}\n\n`;
      return;
    }
    out = '';
  }
}

export function mountAnthropic(app: Hono, d: SurfaceDeps): void {
  app.post('/v1/messages', async (c) => {
    const tStart = performance.now();
    let who: Caller | undefined;
    let asked = '';
    try {
      // Authenticate before reading the body, so an anonymous client cannot make the server buffer anything.
      const keyHolder = (who = await callerOf(c, d.credentials));
      const raw = await readJsonBody(c, d.maxBodyBytes);
      asked = modelName(raw);
      const body = parseOrThrow(messagesBody, raw, 'messages request');
      const caller = d.credentials.withUser(
        keyHolder,
        (body.metadata?.user_id || undefined) ?? c.req.header('x-gatehouse-user'),
      );
      const inv = await d.invoker.invoke(
        caller,
        toChat(raw as Record<string, unknown>, body),
        c.req.header('x-gatehouse-trace-id'),
      );
      const headers = invocationHeaders(inv, tStart);
      const id = `msg_${inv.decisionId}`;
      if (inv.stream) return sseResponse(frames(inv.stream, id, inv.model), headers);
      const r = inv.result!;
      return c.json(
        {
          id,
          type: 'message',
          role: 'assistant',
          model: inv.model,
          content: [
            ...(r.text || !r.toolCalls?.length ? [{ type: 'text', text: r.text }] : []),
            ...(r.toolCalls ?? []).map(toolUse),
          ],
          stop_reason: STOP[r.finishReason],
          stop_sequence: null,
          usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
        },
        200,
        headers,
      );
    } catch (err) {
      // A refusal before the invoker (bad input) is recorded too, against the key's app.
      if (who) await d.invoker.stamp(who, asked, err);
      return anthropicError(c, err);
    }
  });
}
