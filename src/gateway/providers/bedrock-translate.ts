// OpenAI Chat Completions body → AWS Bedrock Converse body: messages to `messages` (content blocks) and `system`,
// tools to `toolConfig` (toolSpec / toolUse / toolResult), images as inline bytes, sampling to `inferenceConfig`.
// Anything Converse cannot take is refused with a 400 naming the field.
import { refuse } from '../wire-fields.js';
import { argsObject, arr, isObj, textOnly, type Obj } from '../wire-shapes.js';

const NO_BEDROCK = 'Bedrock Converse has no equivalent; remove it or call an OpenAI model';

/** Every OpenAI field a Bedrock call may carry: translated ('translate'), or why it is refused. */
export const BEDROCK_FIELDS: Record<string, 'translate' | string> = {
  model: 'translate',
  messages: 'translate',
  max_tokens: 'translate',
  max_completion_tokens: 'translate',
  temperature: 'translate',
  top_p: 'translate',
  stop: 'translate',
  stream: 'translate',
  stream_options: 'translate',
  // Read by Gatehouse (the call's end user in records and budgets); Converse has no end-user field.
  user: 'translate',
  safety_identifier: 'translate',
  n: 'translate',
  tools: 'translate',
  tool_choice: 'translate',
  parallel_tool_calls: 'translate',
  response_format: 'translate',
  seed: NO_BEDROCK,
  presence_penalty: NO_BEDROCK,
  frequency_penalty: NO_BEDROCK,
  logit_bias: NO_BEDROCK,
  logprobs: 'Converse returns no log probabilities; remove it',
  top_logprobs: 'Converse returns no log probabilities; remove it',
  metadata: NO_BEDROCK,
  store: NO_BEDROCK,
  prediction: NO_BEDROCK,
  modalities: 'Bedrock answers text here; remove it',
  audio: NO_BEDROCK,
  prompt_cache_key: 'Bedrock caches through cachePoint blocks, which Gatehouse does not translate; remove it',
  reasoning_effort: 'Bedrock reasoning is configured per model family, which Gatehouse does not translate; remove it',
  service_tier: 'service tiers differ between providers; remove it',
  verbosity: NO_BEDROCK,
  web_search_options: NO_BEDROCK,
  functions: 'legacy functions are not governed; send tools instead',
  function_call: 'legacy function_call is not governed; send tool_choice instead',
};

const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

function userBlocks(content: unknown, path: string): Obj[] {
  if (typeof content === 'string') return [{ text: content }];
  return arr(content).map((p, j) => {
    if (isObj(p) && p.type === 'text') return { text: String(p.text ?? '') };
    if (isObj(p) && p.type === 'image_url' && isObj(p.image_url)) {
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(String(p.image_url.url));
      if (!m) return refuse(`${path}[${j}].image_url.url`, 'Bedrock takes images inline; send a data: URL (base64)');
      const format = IMAGE_FORMATS[m[1].toLowerCase()];
      if (!format) return refuse(`${path}[${j}].image_url.url`, 'Bedrock takes png, jpeg, gif or webp images');
      return { image: { format, source: { bytes: m[2] } } };
    }
    return refuse(`${path}[${j}].type`, `'${isObj(p) ? String(p.type) : typeof p}' parts cannot be sent to Bedrock`);
  });
}

function messages(b: Obj): { messages: Obj[]; system: Obj[] } {
  const system: Obj[] = [];
  const out: Obj[] = [];
  const push = (role: string, content: Obj[]) => {
    const prev = out.at(-1);
    // Converse wants turns to alternate: the tool results of one turn (and any text after them) go together.
    if (prev?.role === role) (prev.content as Obj[]).push(...content);
    else out.push({ role, content });
  };
  arr(b.messages).forEach((raw, i) => {
    const m = raw as Obj;
    const path = `messages[${i}].content`;
    if (m.role === 'system' || m.role === 'developer') {
      const t = textOnly(m.content, path);
      if (t) system.push({ text: t });
    } else if (m.role === 'user') push('user', userBlocks(m.content, path));
    else if (m.role === 'assistant') {
      const blocks: Obj[] = [];
      const t = m.content == null ? '' : textOnly(m.content, path);
      if (t) blocks.push({ text: t });
      arr(m.tool_calls).forEach((c, k) => {
        const call = c as Obj;
        const f = (call.function ?? {}) as Obj;
        const at = `messages[${i}].tool_calls[${k}]`;
        if (typeof call.id !== 'string' || !call.id) refuse(`${at}.id`, 'Bedrock needs the id of every tool call');
        blocks.push({
          toolUse: {
            toolUseId: call.id,
            name: String(f.name ?? ''),
            input: argsObject(f.arguments, `${at}.function.arguments`),
          },
        });
      });
      if (blocks.length) push('assistant', blocks);
    } else if (m.role === 'tool') {
      const id = String(m.tool_call_id ?? '');
      if (!id) refuse(`messages[${i}].tool_call_id`, 'a tool result must name the tool call it answers');
      push('user', [{ toolResult: { toolUseId: id, content: [{ text: textOnly(m.content, path) }] } }]);
    } else refuse(`messages[${i}].role`, `role '${String(m.role)}' cannot be sent to Bedrock`);
  });
  if (!out.length) refuse('messages', 'Bedrock needs at least one user message');
  return { messages: out, system };
}

function toolChoice(tc: unknown): Obj | undefined {
  if (tc == null || tc === 'auto') return tc == null ? undefined : { auto: {} };
  if (tc === 'required') return { any: {} };
  if (isObj(tc) && isObj(tc.function)) return { tool: { name: String(tc.function.name) } };
  if (tc === 'none')
    return refuse(
      'tool_choice',
      "Bedrock cannot be told not to call the tools it is given; omit the tools instead of 'none'",
    );
  return refuse('tool_choice', 'use auto, required or {type:"function",function:{name}}');
}

/** Refuses (400 naming the field) what Converse cannot take; null values count as absent. */
export function checkBedrockFields(b: Obj): void {
  for (const [field, value] of Object.entries(b)) {
    if (value === null || value === undefined) continue;
    const rule = BEDROCK_FIELDS[field];
    if (rule === undefined)
      refuse(field, 'it is not a documented OpenAI Chat Completions field that Gatehouse translates to Bedrock');
    if (rule !== 'translate') refuse(field, rule);
  }
  if (b.n != null && b.n !== 1) refuse('n', 'Gatehouse returns one answer per call; omit n or set it to 1');
  if (b.parallel_tool_calls === false)
    refuse('parallel_tool_calls', 'Bedrock cannot be told to call one tool at a time; omit it');
  const rf = b.response_format;
  if (isObj(rf) && rf.type !== 'text')
    refuse('response_format', 'Converse has no JSON mode; describe the format in the prompt or use a tool');
}

/** The Converse body for a governed OpenAI body (model and stream go in the URL, not the body). */
export function openAiToConverse(b: Obj): Obj {
  checkBedrockFields(b);
  const { messages: msgs, system } = messages(b);
  const inference: Obj = {};
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (max != null) inference.maxTokens = max;
  if (b.temperature != null) inference.temperature = b.temperature;
  if (b.top_p != null) inference.topP = b.top_p;
  if (b.stop != null) inference.stopSequences = typeof b.stop === 'string' ? [b.stop] : b.stop;
  const out: Obj = { messages: msgs };
  if (system.length) out.system = system;
  if (Object.keys(inference).length) out.inferenceConfig = inference;
  const tools = arr(b.tools).map((t, k) => {
    const f = isObj(t) && t.type === 'function' && isObj(t.function) ? t.function : undefined;
    if (!f) return refuse(`tools[${k}].type`, 'only function tools can be sent to Bedrock');
    return {
      toolSpec: {
        name: f.name,
        ...(f.description != null ? { description: f.description } : {}),
        inputSchema: { json: f.parameters ?? { type: 'object', properties: {} } },
      },
    };
  });
  if (tools.length) {
    const choice = toolChoice(b.tool_choice);
    out.toolConfig = { tools, ...(choice ? { toolChoice: choice } : {}) };
  } else if (b.tool_choice != null && b.tool_choice !== 'none' && b.tool_choice !== 'auto')
    refuse('tool_choice', 'it asks for a tool call but the request lists no tools');
  return out;
}
