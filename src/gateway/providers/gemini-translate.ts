// OpenAI Chat Completions body → Gemini generateContent body (Gemini API and Vertex AI share it): messages to
// `contents` and `systemInstruction`, tools to `functionDeclarations`, tool_choice to `toolConfig`, sampling and JSON
// mode to `generationConfig`, images as `inlineData`. Anything Gemini cannot take is refused with a 400 naming it.
import { refuse } from '../wire-fields.js';
import { argsObject, arr, isObj, textOnly, type Obj } from '../wire-shapes.js';

const NO_GEMINI = 'Gemini has no equivalent; remove it or call an OpenAI model';

/** Every OpenAI field a Gemini call may carry: translated ('translate'), or why it is refused. */
export const GEMINI_FIELDS: Record<string, 'translate' | string> = {
  model: 'translate',
  messages: 'translate',
  max_tokens: 'translate',
  max_completion_tokens: 'translate',
  temperature: 'translate',
  top_p: 'translate',
  stop: 'translate',
  stream: 'translate',
  stream_options: 'translate',
  // Read by Gatehouse (the call's end user in records and budgets); Gemini has no end-user field.
  user: 'translate',
  safety_identifier: 'translate',
  n: 'translate',
  seed: 'translate',
  presence_penalty: 'translate',
  frequency_penalty: 'translate',
  tools: 'translate',
  tool_choice: 'translate',
  parallel_tool_calls: 'translate',
  response_format: 'translate',
  logit_bias: NO_GEMINI,
  logprobs: 'log probabilities are not translated back from Gemini; remove it',
  top_logprobs: 'log probabilities are not translated back from Gemini; remove it',
  metadata: NO_GEMINI,
  store: NO_GEMINI,
  prediction: NO_GEMINI,
  modalities: 'Gemini answers text here; remove it',
  audio: NO_GEMINI,
  prompt_cache_key: 'Gemini caches through cachedContents, not a key; remove it',
  reasoning_effort: 'Gemini thinking is configured with thinkingConfig, which Gatehouse does not translate; remove it',
  service_tier: 'service tiers differ between providers; remove it',
  verbosity: NO_GEMINI,
  web_search_options: 'Gemini grounding runs on the provider, outside the manifest tool scope; remove it',
  functions: 'legacy functions are not governed; send tools instead',
  function_call: 'legacy function_call is not governed; send tool_choice instead',
};

function userParts(content: unknown, path: string): Obj[] {
  if (typeof content === 'string') return [{ text: content }];
  return arr(content).map((p, j) => {
    if (isObj(p) && p.type === 'text') return { text: String(p.text ?? '') };
    if (isObj(p) && p.type === 'image_url' && isObj(p.image_url)) {
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(String(p.image_url.url));
      if (!m)
        return refuse(`${path}[${j}].image_url.url`, 'Gemini takes images inline here; send a data: URL (base64)');
      return { inlineData: { mimeType: m[1], data: m[2] } };
    }
    return refuse(`${path}[${j}].type`, `'${isObj(p) ? String(p.type) : typeof p}' parts cannot be sent to Gemini`);
  });
}

/** A tool result as Gemini's functionResponse.response (a JSON object; other text goes under `content`). */
function resultOf(content: string): Obj {
  try {
    const o = JSON.parse(content) as unknown;
    if (isObj(o)) return o;
  } catch {
    // plain text
  }
  return { content };
}

function messages(b: Obj, ids: boolean): { contents: Obj[]; system?: Obj } {
  const system: string[] = [];
  const contents: Obj[] = [];
  const callNames = new Map<string, string>();
  const push = (role: string, parts: Obj[]) => {
    const prev = contents.at(-1);
    // Gemini wants turns to alternate: consecutive parts of one role (tool results of one turn) go together.
    if (prev?.role === role) (prev.parts as Obj[]).push(...parts);
    else contents.push({ role, parts });
  };
  arr(b.messages).forEach((raw, i) => {
    const m = raw as Obj;
    const path = `messages[${i}].content`;
    if (m.role === 'system' || m.role === 'developer') system.push(textOnly(m.content, path));
    else if (m.role === 'user') push('user', userParts(m.content, path));
    else if (m.role === 'assistant') {
      const parts: Obj[] = [];
      const t = m.content == null ? '' : textOnly(m.content, path);
      if (t) parts.push({ text: t });
      arr(m.tool_calls).forEach((c, k) => {
        const call = c as Obj;
        const f = (call.function ?? {}) as Obj;
        const name = String(f.name ?? '');
        if (call.id != null) callNames.set(String(call.id), name);
        const args = argsObject(f.arguments, `messages[${i}].tool_calls[${k}].function.arguments`);
        parts.push({ functionCall: { ...(ids && call.id != null ? { id: String(call.id) } : {}), name, args } });
      });
      if (parts.length) push('model', parts);
    } else if (m.role === 'tool') {
      const id = String(m.tool_call_id ?? '');
      const name = callNames.get(id);
      if (!name)
        refuse(
          `messages[${i}].tool_call_id`,
          'it names no tool call of an earlier assistant message (Gemini needs the tool name)',
        );
      push('user', [
        { functionResponse: { ...(ids ? { id } : {}), name, response: resultOf(textOnly(m.content, path)) } },
      ]);
    } else refuse(`messages[${i}].role`, `role '${String(m.role)}' cannot be sent to Gemini`);
  });
  if (!contents.length) refuse('messages', 'Gemini needs at least one user message');
  return { contents, ...(system.length ? { system: { parts: [{ text: system.join('\n\n') }] } } : {}) };
}

function toolConfig(b: Obj): Obj | undefined {
  const tc = b.tool_choice;
  if (tc == null) return undefined;
  if (tc === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (tc === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (tc === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isObj(tc) && isObj(tc.function))
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [String(tc.function.name)] } };
  return refuse('tool_choice', 'use auto, none, required or {type:"function",function:{name}}');
}

function jsonMode(rf: unknown): Obj {
  if (!isObj(rf) || rf.type === 'text') return {};
  if (rf.type === 'json_object') return { responseMimeType: 'application/json' };
  if (rf.type === 'json_schema' && isObj(rf.json_schema))
    return { responseMimeType: 'application/json', responseJsonSchema: rf.json_schema.schema ?? { type: 'object' } };
  return refuse('response_format.type', 'use text, json_object or json_schema');
}

/** Refuses (400 naming the field) what Gemini cannot take; null values count as absent. */
export function checkGeminiFields(b: Obj): void {
  for (const [field, value] of Object.entries(b)) {
    if (value === null || value === undefined) continue;
    const rule = GEMINI_FIELDS[field];
    if (rule === undefined)
      refuse(field, 'it is not a documented OpenAI Chat Completions field that Gatehouse translates to Gemini');
    if (rule !== 'translate') refuse(field, rule);
  }
  if (b.n != null && b.n !== 1) refuse('n', 'Gatehouse returns one answer per call; omit n or set it to 1');
  if (b.parallel_tool_calls === false)
    refuse('parallel_tool_calls', 'Gemini cannot be told to call one tool at a time; omit it');
}

/**
 * The Gemini generateContent body for a governed OpenAI body (model and stream go in the URL, not the body).
 * `callIds`: whether functionCall/functionResponse carry the call id (the Gemini API does; Vertex AI v1 matches
 * results by name and order and has no id field).
 */
export function openAiToGemini(b: Obj, callIds = true): Obj {
  checkGeminiFields(b);
  const { contents, system } = messages(b, callIds);
  const gen: Obj = {};
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (max != null) gen.maxOutputTokens = max;
  if (b.temperature != null) gen.temperature = b.temperature;
  if (b.top_p != null) gen.topP = b.top_p;
  if (b.stop != null) gen.stopSequences = typeof b.stop === 'string' ? [b.stop] : b.stop;
  if (b.seed != null) gen.seed = b.seed;
  if (b.presence_penalty != null) gen.presencePenalty = b.presence_penalty;
  if (b.frequency_penalty != null) gen.frequencyPenalty = b.frequency_penalty;
  Object.assign(gen, jsonMode(b.response_format));
  const out: Obj = { contents };
  if (system) out.systemInstruction = system;
  if (b.tools != null) {
    const functionDeclarations = arr(b.tools).map((t, k) => {
      const f = isObj(t) && t.type === 'function' && isObj(t.function) ? t.function : undefined;
      if (!f) return refuse(`tools[${k}].type`, 'only function tools can be sent to Gemini');
      return {
        name: f.name,
        ...(f.description != null ? { description: f.description } : {}),
        ...(f.parameters != null ? { parametersJsonSchema: f.parameters } : {}),
      };
    });
    if (functionDeclarations.length) out.tools = [{ functionDeclarations }];
  }
  const tc = toolConfig(b);
  if (tc) out.toolConfig = tc;
  if (Object.keys(gen).length) out.generationConfig = gen;
  return out;
}
