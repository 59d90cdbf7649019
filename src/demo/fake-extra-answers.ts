// The fake upstream's OpenAI tool-call answers (JSON and stream frames) and `/v1/embeddings` answers (deterministic
// vectors per input text, floats or base64), kept apart from fake-upstream.ts so its chat path stays as it was.
import { countTokens } from 'gpt-tokenizer';

export interface FakeToolCall {
  id: string;
  name: string;
  /** The arguments as the model would send them: a JSON text. */
  arguments: string;
}

/** The tool a request asks for: `tool_choice` naming a function, else the first offered tool; none for `tool_choice: none`. */
export function chosenTool(body: Record<string, unknown>): string | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<Record<string, unknown>>) : [];
  if (tools.length === 0 || body.tool_choice === 'none') return undefined;
  const choice = body.tool_choice as { function?: { name?: unknown } } | undefined;
  if (choice && typeof choice === 'object' && typeof choice.function?.name === 'string') return choice.function.name;
  const first = tools[0];
  const fn = first.function as { name?: unknown } | undefined;
  const name = typeof fn?.name === 'string' ? fn.name : first.name;
  return typeof name === 'string' && name ? name : undefined;
}

/** A chat.completion whose message calls one tool (content null, finish_reason tool_calls). */
export function toolCallCompletion(model: string, call: FakeToolCall, promptTokens: number): Record<string, unknown> {
  const out = countTokens(call.arguments);
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: out, total_tokens: promptTokens + out },
  };
}

/** SSE frames of a streamed tool call: the call's id and name first, then its arguments in `chunkSize` pieces,
 *  then finish_reason tool_calls (and usage when asked), then [DONE]. */
export function toolCallFrames(
  model: string,
  call: FakeToolCall,
  promptTokens: number,
  chunkSize: number,
  includeUsage: boolean,
): { head: string; deltas: string[]; tail: string } {
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices, ...extra })}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    frame([{ index: 0, delta: d, finish_reason: finish }]);
  const head = delta({
    role: 'assistant',
    content: null,
    tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
  });
  const deltas: string[] = [];
  for (let i = 0; i < call.arguments.length; i += chunkSize)
    deltas.push(delta({ tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(i, i + chunkSize) } }] }));
  const out = countTokens(call.arguments);
  const tail =
    delta({}, 'tool_calls') +
    (includeUsage
      ? frame([], { usage: { prompt_tokens: promptTokens, completion_tokens: out, total_tokens: promptTokens + out } })
      : '') +
    'data: [DONE]\n\n';
  return { head, deltas, tail };
}

const vectorCache = new Map<string, number[]>();

/** A unit-free deterministic vector for a text: the same text always gets the same numbers (cached, bounded). */
function vectorOf(text: string, dims: number): number[] {
  const k = `${dims}:${text}`;
  const hit = vectorCache.get(k);
  if (hit) return hit;
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  const v = Array.from({ length: dims }, (_, i) => Math.round(Math.sin((h >>> 8) + i * 0.7) * 1e6) / 1e6);
  if (vectorCache.size >= 512) vectorCache.clear();
  vectorCache.set(k, v);
  return v;
}

/** OpenAI's embeddings answer: one vector per input (`dimensions` if the body gives a sensible one, else `dims`),
 *  floats or base64 float32 as `encoding_format` asks; usage counts the inputs' tokens. */
export function embeddingsAnswer(body: Record<string, unknown>, dims: number): Record<string, unknown> {
  const inputs = (Array.isArray(body.input) ? body.input : [body.input]).map((s) =>
    typeof s === 'string' ? s : JSON.stringify(s ?? ''),
  );
  const asked = Number(body.dimensions);
  const n = Number.isInteger(asked) && asked > 0 && asked <= 4096 ? asked : dims;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((text, index) => {
    const v = vectorOf(text, n);
    return {
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
    };
  });
  const tokens = inputs.reduce((t, s) => t + countTokens(s), 0);
  return { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
