// Reads Bedrock Converse answers into the gateway's neutral result, and ConverseStream answers (AWS binary
// event-stream, application/vnd.amazon.eventstream, decoded with @smithy/eventstream-codec) into neutral events:
// text deltas, tool calls assembled from toolUse deltas, the stop reason, usage.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { ChatResult, FinishReason, ToolCall, UpstreamEvent } from '../gateway-types.js';
import { UpstreamError } from '../upstream-error.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const STOP: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

const finishOf = (reason: unknown): FinishReason => STOP[String(reason)] ?? 'stop';

const usageOf = (u: unknown) =>
  isObj(u) ? { inputTokens: Number(u.inputTokens ?? 0), outputTokens: Number(u.outputTokens ?? 0) } : undefined;

/** A Converse answer: `output.message.content` blocks (text, toolUse), `stopReason`, `usage`. */
export function parseConverseAnswer(name: string, d: Obj): ChatResult {
  const message = isObj(d.output) && isObj(d.output.message) ? d.output.message : undefined;
  if (!message) throw new UpstreamError(200, `Model '${name}': Bedrock answered without output.message.`);
  let text = '';
  const calls: ToolCall[] = [];
  for (const b of Array.isArray(message.content) ? message.content : []) {
    if (!isObj(b)) continue;
    if (typeof b.text === 'string') text += b.text;
    if (isObj(b.toolUse))
      calls.push({
        id: String(b.toolUse.toolUseId ?? `call_${calls.length}`),
        name: String(b.toolUse.name ?? ''),
        arguments: JSON.stringify(b.toolUse.input ?? {}),
      });
    // reasoningContent blocks are the model's thinking, not the answer.
  }
  return {
    text,
    finishReason: finishOf(d.stopReason),
    usage: usageOf(d.usage) ?? { inputTokens: -1, outputTokens: -1 },
    ...(calls.length ? { toolCalls: calls } : {}),
  };
}

const header = (h: Record<string, { type: string; value: unknown }>, k: string) =>
  h[k] && h[k].type === 'string' ? String(h[k].value) : undefined;

/** Turns one decoded event into neutral events; tool calls are held until their block stops. */
function onEvent(
  type: string,
  e: Obj,
  tools: Map<number, { id: string; name: string; args: string }>,
  out: UpstreamEvent[],
): boolean {
  const index = Number(e.contentBlockIndex ?? 0);
  if (type === 'contentBlockStart' && isObj(e.start) && isObj(e.start.toolUse))
    tools.set(index, {
      id: String(e.start.toolUse.toolUseId ?? ''),
      name: String(e.start.toolUse.name ?? ''),
      args: '',
    });
  else if (type === 'contentBlockDelta' && isObj(e.delta)) {
    if (typeof e.delta.text === 'string' && e.delta.text) out.push({ type: 'text', text: e.delta.text });
    if (isObj(e.delta.toolUse)) {
      const t = tools.get(index);
      if (t) t.args += String(e.delta.toolUse.input ?? '');
    }
  } else if (type === 'contentBlockStop') {
    const t = tools.get(index);
    if (t) {
      tools.delete(index);
      out.push({ type: 'tool_call', call: { id: t.id || `call_${index}`, name: t.name, arguments: t.args || '{}' } });
    }
  } else if (type === 'messageStop') {
    out.push({ type: 'finish', finishReason: finishOf(e.stopReason) });
    return true;
  } else if (type === 'metadata') {
    const u = usageOf(e.usage);
    if (u) out.push({ type: 'usage', usage: u });
  }
  return false;
}

/** A ConverseStream body → neutral events; an exception message or a cut stream throws UpstreamError. */
export async function* parseConverseStream(name: string, body: AsyncIterable<Buffer>): AsyncGenerator<UpstreamEvent> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const tools = new Map<number, { id: string; name: string; args: string }>();
  const pending: UpstreamEvent[] = [];
  let finished = false;
  let buf: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of body) {
      // Frames straddle reads: each starts with its total length (big-endian uint32); decode whole ones only.
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
        const size = buf.readUInt32BE(0);
        if (size < 16) throw new Error(`a frame of ${size} bytes is too short`);
        const m = codec.decode(new Uint8Array(buf.subarray(0, size)));
        buf = buf.subarray(size);
        const h = m.headers as Record<string, { type: string; value: unknown }>;
        const kind = header(h, ':message-type');
        const payload = toUtf8(m.body);
        if (kind === 'exception' || kind === 'error') {
          const type = header(h, ':exception-type') ?? header(h, ':error-code') ?? 'error';
          let said = payload.slice(0, 300);
          try {
            said = String((JSON.parse(payload) as { message?: unknown }).message ?? said);
          } catch {
            // not JSON
          }
          throw new UpstreamError(
            type === 'throttlingException' ? 429 : 0,
            `Model '${name}': Bedrock reported ${type} mid-stream: ${said}`,
            type === 'throttlingException' ? 429 : 502,
          );
        }
        let e: Obj;
        try {
          e = JSON.parse(payload) as Obj;
        } catch {
          continue;
        }
        if (onEvent(header(h, ':event-type') ?? '', e, tools, pending)) finished = true;
      }
      yield* pending.splice(0);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(0, `Model '${name}': the Bedrock stream broke mid-way (${(err as Error).message}).`);
  }
  yield* pending.splice(0);
  if (buf.length) throw new UpstreamError(0, `Model '${name}': the Bedrock stream ended inside a frame.`);
  if (!finished) throw new UpstreamError(0, `Model '${name}': the Bedrock stream ended before messageStop.`);
}
