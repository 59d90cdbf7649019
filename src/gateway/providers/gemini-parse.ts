// Reads Gemini generateContent answers (JSON, and `alt=sse` streams of partial answers) into the gateway's neutral
// result and events: text parts, functionCall parts as tool calls, finishReason, usageMetadata; embeddings answers
// into OpenAI's embeddings shape.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatResult, FinishReason, ToolCall, Usage, UpstreamEvent } from '../gateway-types.js';
import { UpstreamError } from '../upstream-error.js';

type Obj = Record<string, unknown>;

const FINISH: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

interface Piece {
  text: string;
  calls: ToolCall[];
  finish?: string;
  blocked?: string;
  usage?: Usage;
}

/** One generateContent answer (whole, or one streamed chunk): its text, calls, finish reason and usage. */
function piece(d: Obj, nextId: () => string): Piece {
  const cand = (d.candidates as Obj[] | undefined)?.[0];
  const parts = ((cand?.content as Obj | undefined)?.parts as Obj[] | undefined) ?? [];
  let text = '';
  const calls: ToolCall[] = [];
  for (const p of parts) {
    if (p.thought === true) continue; // thinking summaries are not the answer
    if (typeof p.text === 'string') text += p.text;
    const fc = p.functionCall as Obj | undefined;
    if (fc)
      calls.push({
        id: typeof fc.id === 'string' && fc.id ? fc.id : nextId(),
        name: String(fc.name),
        arguments: JSON.stringify(fc.args ?? {}),
      });
  }
  const u = d.usageMetadata as
    { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number } | undefined;
  const blocked = (d.promptFeedback as { blockReason?: string } | undefined)?.blockReason;
  return {
    text,
    calls,
    finish: typeof cand?.finishReason === 'string' ? cand.finishReason : undefined,
    blocked,
    // Thinking tokens are billed as output.
    usage: u
      ? {
          inputTokens: u.promptTokenCount ?? 0,
          outputTokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        }
      : undefined,
  };
}

const finishOf = (p: Piece, calledTools: boolean): FinishReason => {
  if (p.blocked) return 'content_filter';
  const f = FINISH[p.finish ?? 'STOP'] ?? 'stop';
  return f === 'stop' && calledTools ? 'tool_calls' : f;
};

const ids = () => {
  let n = 0;
  return () => `call_${n++}`;
};

export function parseGeminiAnswer(name: string, d: Obj): ChatResult {
  const p = piece(d, ids());
  if (p.finish === 'MALFORMED_FUNCTION_CALL')
    throw new UpstreamError(200, `Model '${name}': Gemini produced a malformed function call; retry the request.`);
  return {
    text: p.text,
    finishReason: finishOf(p, p.calls.length > 0),
    usage: p.usage ?? { inputTokens: -1, outputTokens: -1 },
    ...(p.calls.length ? { toolCalls: p.calls } : {}),
  };
}

export async function* parseGeminiSse(name: string, body: AsyncIterable<Buffer>): AsyncGenerator<UpstreamEvent> {
  const pending: UpstreamEvent[] = [];
  const nextId = ids();
  let finished = false;
  let called = false;
  let failure: string | undefined;
  const onEvent = (m: EventSourceMessage) => {
    let d: Obj;
    try {
      d = JSON.parse(m.data) as Obj;
    } catch {
      return;
    }
    if (d.error) {
      failure = String((d.error as { message?: string }).message ?? 'upstream stream error');
      return;
    }
    const p = piece(d, nextId);
    if (p.text) pending.push({ type: 'text', text: p.text });
    for (const call of p.calls) pending.push({ type: 'tool_call', call });
    if (p.calls.length) called = true;
    // usageMetadata is cumulative: the last chunk's counts are the call's.
    if (p.usage) pending.push({ type: 'usage', usage: p.usage });
    if (p.finish === 'MALFORMED_FUNCTION_CALL') failure = 'Gemini produced a malformed function call';
    else if (p.finish || p.blocked) {
      pending.push({ type: 'finish', finishReason: finishOf(p, called) });
      finished = true;
    }
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (failure) throw new UpstreamError(0, `Model '${name}': upstream reported an error mid-stream: ${failure}`);
      yield* pending.splice(0);
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw new UpstreamError(0, `Model '${name}': the upstream stream broke mid-way (${(err as Error).message}).`);
  }
  yield* pending.splice(0);
  if (!finished) throw new UpstreamError(0, `Model '${name}': the upstream stream ended before it finished.`);
}

/** Gemini batchEmbedContents ({embeddings:[{values}]}) or Vertex predict ({predictions:[{embeddings:{values}}]}). */
export function geminiEmbeddingsToOpenAi(d: Obj, o: { model: string; tokensIn: number; base64: boolean }): Obj {
  const vectors: unknown[] = Array.isArray(d.embeddings)
    ? (d.embeddings as Obj[]).map((e) => e.values)
    : ((d.predictions as Obj[] | undefined) ?? []).map((p) => (p.embeddings as Obj | undefined)?.values);
  let tokens = 0;
  for (const p of (d.predictions as Obj[] | undefined) ?? [])
    tokens += Number(((p.embeddings as Obj | undefined)?.statistics as Obj | undefined)?.token_count ?? 0);
  const used = tokens || o.tokensIn;
  // OpenAI's base64 encoding is the little-endian float32 bytes of the vector (what its SDK asks for by default).
  const encode = (v: unknown) =>
    o.base64 && Array.isArray(v) ? Buffer.from(new Float32Array(v.map(Number)).buffer).toString('base64') : v;
  return {
    object: 'list',
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding: encode(embedding) })),
    model: o.model,
    usage: { prompt_tokens: used, total_tokens: used },
  };
}
