// Reads provider answers (OpenAI and Anthropic, JSON and SSE) into the gateway's neutral result and events:
// text, tool calls (streamed argument deltas gathered into whole calls), finish reason, usage.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatResult, FinishReason, Protocol, ToolCall, UpstreamEvent } from './gateway-types.js';
import { UpstreamError } from './upstream-error.js';

type Obj = Record<string, unknown>;

const OPENAI_FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
};
const ANTHROPIC_FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export interface ParseOptions {
  provider: Protocol;
  /** Model name for messages. */
  name: string;
  /** A forced tool whose input is the JSON answer (OpenAI response_format on an Anthropic model). */
  jsonTool?: string;
}

export function parseAnswer(o: ParseOptions, d: Obj): ChatResult {
  if (o.provider === 'openai') {
    const choice = (d.choices as Array<Obj> | undefined)?.[0] ?? {};
    const msg = (choice.message ?? {}) as { content?: string | null; tool_calls?: Array<Obj> };
    const u = d.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    const toolCalls = (msg.tool_calls ?? []).map((c) => {
      const f = (c.function ?? {}) as { name?: string; arguments?: string };
      return { id: String(c.id), name: String(f.name), arguments: f.arguments ?? '{}' };
    });
    const passthrough: Obj = {};
    if (choice.logprobs != null) passthrough.logprobs = choice.logprobs;
    if (d.system_fingerprint != null) passthrough.system_fingerprint = d.system_fingerprint;
    if (d.service_tier != null) passthrough.service_tier = d.service_tier;
    return {
      text: msg.content ?? '',
      finishReason: OPENAI_FINISH[String(choice.finish_reason ?? 'stop')] ?? 'stop',
      usage: { inputTokens: u?.prompt_tokens ?? -1, outputTokens: u?.completion_tokens ?? -1 },
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(Object.keys(passthrough).length ? { passthrough } : {}),
    };
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const b of (d.content as Array<Obj> | undefined) ?? []) {
    if (b.type === 'text') text += String(b.text ?? '');
    else if (b.type === 'tool_use' && b.name === o.jsonTool) text += JSON.stringify(b.input ?? {});
    else if (b.type === 'tool_use')
      toolCalls.push({ id: String(b.id), name: String(b.name), arguments: JSON.stringify(b.input ?? {}) });
  }
  const u = d.usage as { input_tokens?: number; output_tokens?: number } | undefined;
  let finish = ANTHROPIC_FINISH[String(d.stop_reason)] ?? 'stop';
  if (finish === 'tool_calls' && !toolCalls.length) finish = 'stop'; // the forced JSON tool is an answer
  return {
    text,
    finishReason: finish,
    usage: { inputTokens: u?.input_tokens ?? -1, outputTokens: u?.output_tokens ?? -1 },
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

export async function* parseSse(o: ParseOptions, body: AsyncIterable<Buffer>): AsyncGenerator<UpstreamEvent> {
  const pending: UpstreamEvent[] = [];
  let finished = false;
  let failure: string | undefined;
  // Tool calls in progress: OpenAI by `index`, Anthropic by content block index.
  const calls = new Map<number, ToolCall & { json?: boolean }>();
  const flushCalls = () => {
    for (const c of calls.values()) if (!c.json) pending.push({ type: 'tool_call', call: strip(c) });
    calls.clear();
  };
  const onEvent = (m: EventSourceMessage) => {
    if (m.data === '[DONE]') {
      finished = true;
      return;
    }
    let d: Obj;
    try {
      d = JSON.parse(m.data) as Obj;
    } catch {
      return; // comments and keep-alives
    }
    if (d.error || m.event === 'error') {
      failure = String((d.error as { message?: string } | undefined)?.message ?? 'upstream stream error');
      return;
    }
    if (o.provider === 'openai') {
      const c = (d.choices as Array<Obj> | undefined)?.[0];
      const delta = (c?.delta ?? {}) as { content?: string | null; tool_calls?: Array<Obj> };
      if (delta.content) pending.push({ type: 'text', text: delta.content });
      for (const t of delta.tool_calls ?? []) {
        const i = Number(t.index ?? 0);
        const f = (t.function ?? {}) as { name?: string; arguments?: string };
        const cur = calls.get(i) ?? { id: '', name: '', arguments: '' };
        if (t.id) cur.id = String(t.id);
        if (f.name) cur.name += f.name;
        if (f.arguments) cur.arguments += f.arguments;
        calls.set(i, cur);
      }
      if (c?.finish_reason) {
        flushCalls();
        pending.push({ type: 'finish', finishReason: OPENAI_FINISH[String(c.finish_reason)] ?? 'stop' });
      }
      const u = d.usage as { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
      if (u)
        pending.push({ type: 'usage', usage: { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens } });
      return;
    }
    const index = Number(d.index ?? 0);
    if (d.type === 'content_block_start') {
      const b = d.content_block as Obj;
      if (b.type === 'tool_use')
        calls.set(index, { id: String(b.id), name: String(b.name), arguments: '', json: b.name === o.jsonTool });
    } else if (d.type === 'content_block_delta') {
      const delta = d.delta as { type?: string; text?: string; partial_json?: string };
      if (delta.type === 'text_delta' && delta.text) pending.push({ type: 'text', text: delta.text });
      else if (delta.type === 'input_json_delta' && delta.partial_json) {
        const c = calls.get(index);
        // The forced JSON tool's input is the answer itself: it streams as text.
        if (c?.json) pending.push({ type: 'text', text: delta.partial_json });
        else if (c) c.arguments += delta.partial_json;
      }
    } else if (d.type === 'content_block_stop') {
      const c = calls.get(index);
      if (c && !c.json) pending.push({ type: 'tool_call', call: strip(c) });
      calls.delete(index);
    } else if (d.type === 'message_start') {
      const u = (d.message as { usage?: { input_tokens?: number } }).usage;
      if (u?.input_tokens !== undefined) pending.push({ type: 'usage', usage: { inputTokens: u.input_tokens } });
    } else if (d.type === 'message_delta') {
      const reason = (d.delta as { stop_reason?: string }).stop_reason;
      if (reason) pending.push({ type: 'finish', finishReason: ANTHROPIC_FINISH[reason] ?? 'stop' });
      const u = d.usage as Partial<{ output_tokens: number }> | undefined;
      if (u?.output_tokens !== undefined) pending.push({ type: 'usage', usage: { outputTokens: u.output_tokens } });
    } else if (d.type === 'message_stop') finished = true;
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (failure) throw new UpstreamError(0, `Model '${o.name}': upstream reported an error mid-stream: ${failure}`);
      yield* coalesced(pending);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(0, `Model '${o.name}': the upstream stream broke mid-way (${(err as Error).message}).`);
  }
  flushCalls();
  yield* coalesced(pending);
  if (!finished) throw new UpstreamError(0, `Model '${o.name}': the upstream stream ended before it finished.`);
}

const strip = (c: ToolCall & { json?: boolean }): ToolCall => ({
  id: c.id,
  name: c.name,
  arguments: c.arguments || '{}',
});

/** Drains `pending`, merging text deltas that arrived in the same network read: the bytes are already here, so
 *  nothing waits, and DLP scans and client frames happen once per read instead of once per delta. */
function* coalesced(pending: UpstreamEvent[]): Generator<UpstreamEvent> {
  let text = '';
  for (const ev of pending) {
    if (ev.type === 'text') text += ev.text;
    else {
      if (text) yield { type: 'text', text };
      text = '';
      yield ev;
    }
  }
  if (text) yield { type: 'text', text };
  pending.length = 0;
}
