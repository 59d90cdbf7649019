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
import type { ChatMessage, ChatRequest, FinishReason, StreamEvent } from './gateway-types.js';
import type { ModelInvoker } from './model-invoker.js';
import { apiKeyOf, errorHeaders, invocationHeaders, sseResponse, toError } from './surface-common.js';

export interface SurfaceDeps {
  credentials: Credentials;
  invoker: ModelInvoker;
  catalog: CatalogReader;
  maxBodyBytes: number;
  logger: Logger;
}

const block = z
  .object({ type: z.literal('text', 'only text content blocks are supported by the gateway'), text: z.string() })
  .loose();
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
    top_p: z.number().min(0).max(1).optional(),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    metadata: z.object({ user_id: z.string().optional() }).loose().optional(),
    tools: z.undefined('tool use is not supported by the gateway yet; remove tools').optional(),
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
const STOP: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', content_filter: 'refusal' };

const text = (c: z.output<typeof content>) => (typeof c === 'string' ? c : c.map((b) => b.text).join(''));

function anthropicError(c: Context, err: unknown): Response {
  const e = toError(err);
  return c.json(
    {
      type: 'error',
      error: { type: ERROR_TYPE[e.status] ?? 'api_error', message: e.message },
      gatehouse: { code: e.code, ...e.extra },
    },
    e.status as 400,
    errorHeaders(e),
  );
}

function toChat(b: z.output<typeof messagesBody>): ChatRequest {
  const messages: ChatMessage[] = [];
  if (b.system !== undefined) messages.push({ role: 'system', content: text(b.system) });
  for (const m of b.messages) messages.push({ role: m.role, content: text(m.content) });
  return {
    model: b.model,
    messages,
    maxTokens: b.max_tokens,
    temperature: b.temperature,
    topP: b.top_p,
    stop: b.stop_sequences,
    stream: b.stream === true,
  };
}

async function* frames(events: AsyncIterable<StreamEvent>, id: string, model: string): AsyncGenerator<string> {
  const ev = (name: string, data: Record<string, unknown>) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  yield (
    ev('message_start', {
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
    }) + ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })
  );
  for await (const e of events) {
    if (e.type === 'text') yield ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: e.text } });
    else if (e.type === 'done') {
      yield (
        ev('content_block_stop', { index: 0 }) +
        ev('message_delta', {
          delta: { stop_reason: STOP[e.finishReason], stop_sequence: null },
          usage: { input_tokens: e.usage.inputTokens, output_tokens: e.usage.outputTokens },
        }) +
        ev('message_stop', {})
      );
    } else {
      yield `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: ERROR_TYPE[e.status] ?? 'api_error', message: e.message } })}\n\n`;
      return;
    }
  }
}

export function mountAnthropic(app: Hono, d: SurfaceDeps): void {
  app.post('/v1/messages', async (c) => {
    const tStart = performance.now();
    try {
      // Authenticate before reading the body, so an anonymous client cannot make the server buffer anything.
      const keyHolder = await d.credentials.resolve(apiKeyOf(c), undefined, c.req.header('x-gatehouse-app'));
      const body = parseOrThrow(messagesBody, await readJsonBody(c, d.maxBodyBytes), 'messages request');
      const caller = d.credentials.withUser(keyHolder, body.metadata?.user_id ?? c.req.header('x-gatehouse-user'));
      const inv = await d.invoker.invoke(caller, toChat(body), c.req.header('x-gatehouse-trace-id'));
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
          content: [{ type: 'text', text: r.text }],
          stop_reason: STOP[r.finishReason],
          stop_sequence: null,
          usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
        },
        200,
        headers,
      );
    } catch (err) {
      return anthropicError(c, err);
    }
  });
}
