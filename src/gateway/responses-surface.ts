// OpenAI Responses API surface, POST /v1/responses: translated to a Chat Completions request and run through the
// same pipeline (govern, caps, DLP, budgets, records; either provider), answered as a Response object or the
// Responses stream events. Also the legacy POST /v1/completions: a 400 naming its replacement.
import { performance } from 'node:perf_hooks';
import type { Hono } from 'hono';
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { readJsonBody } from '../http/server.js';
import type { SurfaceDeps } from './anthropic-surface.js';
import type { Caller, ChatResult, StreamEvent, ToolCall } from './gateway-types.js';
import { openAiError, toChat } from './openai-surface.js';
import { responsesToChat } from './responses-translate.js';
import { invocationHeaders, modelName, sseResponse, callerOf } from './surface-common.js';

export const responsesBody = z
  .object({
    model: z.string().min(1, 'name a model declared in your app manifest'),
    input: z.union([z.string(), z.array(z.object({}).loose())], {
      error: 'input is a string or a list of input items',
    }),
    instructions: z.string().nullish(),
    stream: z.boolean().nullish(),
    user: z.string().optional(),
  })
  .loose();

type Usage = ChatResult['usage'];
const usageOf = (u: Usage) => ({
  input_tokens: u.inputTokens,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: u.outputTokens,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: u.inputTokens + u.outputTokens,
});
const messageItem = (id: string, text: string) => ({
  type: 'message',
  id: `msg_${id}`,
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const callItem = (c: ToolCall) => ({
  type: 'function_call',
  id: `fc_${c.id}`,
  call_id: c.id,
  name: c.name,
  arguments: c.arguments,
  status: 'completed',
});

function responseObject(id: string, model: string, body: Record<string, unknown>, r?: ChatResult) {
  const output = r
    ? [...(r.text || !r.toolCalls?.length ? [messageItem(id, r.text)] : []), ...(r.toolCalls ?? []).map(callItem)]
    : [];
  const cut = r?.finishReason === 'length';
  return {
    id: `resp_${id}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: r ? (cut ? 'incomplete' : 'completed') : 'in_progress',
    error: null,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    temperature: body.temperature ?? null,
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    usage: r ? usageOf(r.usage) : null,
    metadata: {},
  };
}

/** The Responses stream: created, in_progress, item/part/delta events per output item, completed (with usage). */
async function* events(
  src: AsyncIterable<StreamEvent>,
  id: string,
  model: string,
  body: Record<string, unknown>,
): AsyncGenerator<string> {
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  let head = ev('response.created', { response: responseObject(id, model, body) });
  head += ev('response.in_progress', { response: responseObject(id, model, body) });
  let index = -1;
  let text: string | undefined; // the open message item's text so far
  const calls: ToolCall[] = [];
  const closeText = () => {
    if (text === undefined) return '';
    const part = { type: 'output_text', text, annotations: [] };
    const item_id = `msg_${id}`;
    const out =
      ev('response.output_text.done', { item_id, output_index: index, content_index: 0, text }) +
      ev('response.content_part.done', { item_id, output_index: index, content_index: 0, part }) +
      ev('response.output_item.done', { output_index: index, item: messageItem(id, text) });
    text = undefined;
    return out;
  };
  let finalText = '';
  for await (const e of src) {
    let out = head;
    head = '';
    if (e.type === 'text') {
      if (text === undefined) {
        text = '';
        const item_id = `msg_${id}`;
        out +=
          ev('response.output_item.added', {
            output_index: ++index,
            item: { ...messageItem(id, ''), status: 'in_progress', content: [] },
          }) +
          ev('response.content_part.added', {
            item_id,
            output_index: index,
            content_index: 0,
            part: { type: 'output_text', text: '', annotations: [] },
          });
      }
      text += e.text;
      finalText += e.text;
      yield (
        out +
        ev('response.output_text.delta', { item_id: `msg_${id}`, output_index: index, content_index: 0, delta: e.text })
      );
    } else if (e.type === 'tool_call') {
      out += closeText();
      calls.push(e.call);
      const item = callItem(e.call);
      yield (
        out +
        ev('response.output_item.added', {
          output_index: ++index,
          item: { ...item, arguments: '', status: 'in_progress' },
        }) +
        ev('response.function_call_arguments.delta', {
          item_id: item.id,
          output_index: index,
          delta: e.call.arguments,
        }) +
        ev('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: index,
          arguments: e.call.arguments,
        }) +
        ev('response.output_item.done', { output_index: index, item })
      );
    } else if (e.type === 'done') {
      const r: ChatResult = { text: finalText, finishReason: e.finishReason, usage: e.usage, toolCalls: calls };
      const response = responseObject(id, model, body, r);
      yield (
        out +
        closeText() +
        ev(response.status === 'completed' ? 'response.completed' : 'response.incomplete', { response })
      );
      return;
    } else {
      // The openai client raises a data frame carrying `error` as an APIError.
      const error = { message: e.message, type: e.status === 429 ? 'rate_limit_error' : 'server_error', code: e.code };
      yield out + ev('error', { code: e.code, message: e.message, param: null, error });
      return;
    }
  }
  if (head) yield head;
}

export function mountResponses(app: Hono, d: SurfaceDeps): void {
  app.post('/v1/responses', async (c) => {
    const tStart = performance.now();
    let who: Caller | undefined;
    let asked = '';
    try {
      const keyHolder = (who = await callerOf(c, d.credentials));
      const raw = (await readJsonBody(c, d.maxBodyBytes)) as Record<string, unknown>;
      asked = modelName(raw);
      const body = parseOrThrow(responsesBody, raw, 'responses request');
      const caller = d.credentials.withUser(keyHolder, body.user ?? c.req.header('x-gatehouse-user'));
      // Translated to Chat Completions (refusing what has no equivalent), then the chat pipeline as for any call.
      const chat = responsesToChat(raw);
      const inv = await d.invoker.invoke(caller, toChat(chat.raw, chat.parsed), c.req.header('x-gatehouse-trace-id'));
      const headers = invocationHeaders(inv, tStart);
      if (inv.stream) return sseResponse(events(inv.stream, inv.decisionId, inv.model, raw), headers);
      return c.json(responseObject(inv.decisionId, inv.model, raw, inv.result!), 200, headers);
    } catch (err) {
      if (who) await d.invoker.stamp(who, asked, err);
      return openAiError(c, err);
    }
  });

  // Legacy text completions: not served; the 400 names the replacement (recorded like every refusal).
  app.post('/v1/completions', async (c) => {
    let who: Caller | undefined;
    try {
      who = await callerOf(c, d.credentials);
      const raw = await readJsonBody(c, d.maxBodyBytes).catch(() => ({}));
      const err = new InvalidInputError(
        'POST /v1/completions (legacy text completions) is not served by Gatehouse: send the prompt as a user message to POST /v1/chat/completions, or as `input` to POST /v1/responses.',
        [{ path: 'prompt', message: 'use /v1/chat/completions or /v1/responses' }],
        { replacement: ['/v1/chat/completions', '/v1/responses'] },
      );
      await d.invoker.stamp(who, modelName(raw), err);
      throw err;
    } catch (err) {
      return openAiError(c, err);
    }
  });
}
