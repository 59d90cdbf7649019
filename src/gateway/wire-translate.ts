// Cross-protocol request translation (OpenAI Chat Completions ⇄ Anthropic Messages): messages with text, image,
// tool-call and tool-result parts, tools, tool_choice, parallel tool calls, and JSON output as a forced tool.
// Governed fields (model, max tokens, temperature, stream) are set later by wire-body.ts.
import type { Protocol } from './gateway-types.js';
import { checkFields, refuse } from './wire-fields.js';
import { arr, isObj, textOnly, type Obj } from './wire-shapes.js';

/** The forced tool that carries a JSON answer from Anthropic when an OpenAI caller asked for response_format. */
export const JSON_TOOL = 'gatehouse_json_answer';

function parseArgs(args: unknown, path: string): unknown {
  try {
    return JSON.parse(typeof args === 'string' && args ? args : '{}');
  } catch {
    return refuse(path, 'tool-call arguments must be a JSON object');
  }
}

function imageToAnthropic(url: string): Obj {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m
    ? { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } }
    : { type: 'image', source: { type: 'url', url } };
}

function userPartsToAnthropic(content: unknown, path: string): unknown {
  if (typeof content === 'string') return content;
  return arr(content).map((p, j) => {
    if (isObj(p) && p.type === 'text') return { type: 'text', text: String(p.text ?? '') };
    if (isObj(p) && p.type === 'image_url' && isObj(p.image_url)) return imageToAnthropic(String(p.image_url.url));
    return refuse(`${path}[${j}].type`, `'${isObj(p) ? String(p.type) : typeof p}' parts cannot be translated`);
  });
}

/** OpenAI Chat Completions body → Anthropic Messages body (without the governed fields). */
export function openAiToAnthropic(b: Obj): { body: Obj; jsonTool?: string } {
  checkFields('openai', 'anthropic', b);
  const system: string[] = [];
  const messages: Obj[] = [];
  arr(b.messages).forEach((raw, i) => {
    const m = raw as Obj;
    const path = `messages[${i}].content`;
    if (m.role === 'system' || m.role === 'developer') system.push(textOnly(m.content, path));
    else if (m.role === 'user') messages.push({ role: 'user', content: userPartsToAnthropic(m.content, path) });
    else if (m.role === 'assistant') {
      const content: Obj[] = [];
      const t = m.content == null ? '' : textOnly(m.content, path);
      if (t) content.push({ type: 'text', text: t });
      arr(m.tool_calls).forEach((c, k) => {
        const f = (c as Obj).function as Obj;
        content.push({
          type: 'tool_use',
          id: (c as Obj).id,
          name: f.name,
          input: parseArgs(f.arguments, `messages[${i}].tool_calls[${k}].function.arguments`),
        });
      });
      messages.push({ role: 'assistant', content });
    } else if (m.role === 'tool') {
      const result = { type: 'tool_result', tool_use_id: m.tool_call_id, content: textOnly(m.content, path) };
      const prev = messages.at(-1);
      // Anthropic wants the results of one turn's calls together in one user message.
      if (prev?.role === 'user' && Array.isArray(prev.content) && (prev.content as Obj[])[0]?.type === 'tool_result')
        (prev.content as Obj[]).push(result);
      else messages.push({ role: 'user', content: [result] });
    } else refuse(`messages[${i}].role`, `role '${String(m.role)}' cannot be translated`);
  });
  const out: Obj = { messages };
  if (system.length) out.system = system.join('\n\n');
  if (b.top_p != null) out.top_p = b.top_p;
  if (b.stop != null) out.stop_sequences = typeof b.stop === 'string' ? [b.stop] : b.stop;
  const user = b.user ?? b.safety_identifier;
  if (user != null) out.metadata = { user_id: user };
  if (b.n != null && b.n !== 1) refuse('n', 'Anthropic returns one answer per call; omit n or set it to 1');
  if (b.tools != null)
    out.tools = arr(b.tools).map((t, k) => {
      const f = isObj(t) && t.type === 'function' && isObj(t.function) ? t.function : undefined;
      if (!f) return refuse(`tools[${k}].type`, 'only function tools can be translated');
      return { name: f.name, description: f.description, input_schema: f.parameters ?? { type: 'object' } };
    });
  let choice: Obj | undefined;
  const tc = b.tool_choice;
  if (tc === 'auto') choice = { type: 'auto' };
  else if (tc === 'none') choice = { type: 'none' };
  else if (tc === 'required') choice = { type: 'any' };
  else if (isObj(tc) && isObj(tc.function)) choice = { type: 'tool', name: tc.function.name };
  else if (tc != null) refuse('tool_choice', 'use auto, none, required or {type:"function",function:{name}}');
  if (b.parallel_tool_calls === false) choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  let jsonTool: string | undefined;
  const rf = b.response_format as Obj | undefined;
  if (rf != null && rf.type !== 'text') {
    if (choice) refuse('response_format', 'a JSON answer is a forced tool on Anthropic, so it cannot join tool_choice');
    const schema =
      rf.type === 'json_schema' && isObj(rf.json_schema)
        ? (rf.json_schema.schema ?? { type: 'object' })
        : rf.type === 'json_object'
          ? { type: 'object' }
          : refuse('response_format.type', 'use text, json_object or json_schema');
    jsonTool = JSON_TOOL;
    out.tools = [...arr(out.tools), { name: JSON_TOOL, description: 'Answer with this JSON', input_schema: schema }];
    choice = { type: 'tool', name: JSON_TOOL };
  }
  if (choice) out.tool_choice = choice;
  return { body: out, jsonTool };
}

function anthropicPartsToOpenAi(content: unknown, path: string): { parts: unknown; results: Obj[] } {
  if (typeof content === 'string') return { parts: content, results: [] };
  const parts: Obj[] = [];
  const results: Obj[] = [];
  arr(content).forEach((p, j) => {
    const b = p as Obj;
    if (b.type === 'text') parts.push({ type: 'text', text: String(b.text ?? '') });
    else if (b.type === 'image' && isObj(b.source)) {
      const s = b.source;
      const url = s.type === 'base64' ? `data:${String(s.media_type)};base64,${String(s.data)}` : String(s.url);
      parts.push({ type: 'image_url', image_url: { url } });
    } else if (b.type === 'tool_result')
      results.push({
        role: 'tool',
        tool_call_id: b.tool_use_id,
        content: b.content == null ? '' : textOnly(b.content, `${path}[${j}].content`),
      });
    else refuse(`${path}[${j}].type`, `'${String(b.type)}' blocks cannot be translated to OpenAI`);
  });
  return { parts, results };
}

/** Anthropic Messages body → OpenAI Chat Completions body (without the governed fields). */
export function anthropicToOpenAi(b: Obj): { body: Obj } {
  checkFields('anthropic', 'openai', b);
  const messages: Obj[] = [];
  if (b.system != null) messages.push({ role: 'system', content: textOnly(b.system, 'system') });
  arr(b.messages).forEach((raw, i) => {
    const m = raw as Obj;
    const path = `messages[${i}].content`;
    if (m.role === 'assistant') {
      const calls: Obj[] = [];
      let text = '';
      if (typeof m.content === 'string') text = m.content;
      else
        arr(m.content).forEach((p, j) => {
          const blk = p as Obj;
          if (blk.type === 'text') text += String(blk.text ?? '');
          else if (blk.type === 'tool_use')
            calls.push({
              id: blk.id,
              type: 'function',
              function: { name: blk.name, arguments: JSON.stringify(blk.input ?? {}) },
            });
          else refuse(`${path}[${j}].type`, `'${String(blk.type)}' blocks cannot be translated to OpenAI`);
        });
      messages.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
    } else if (m.role === 'user') {
      const { parts, results } = anthropicPartsToOpenAi(m.content, path);
      messages.push(...results);
      if (typeof parts === 'string' || (parts as unknown[]).length) messages.push({ role: 'user', content: parts });
    } else refuse(`messages[${i}].role`, `role '${String(m.role)}' is user or assistant`);
  });
  const out: Obj = { messages };
  if (b.top_p != null) out.top_p = b.top_p;
  if (b.stop_sequences != null) out.stop = b.stop_sequences;
  const meta = b.metadata as Obj | undefined;
  if (meta?.user_id != null) out.user = meta.user_id;
  if (b.tools != null)
    out.tools = arr(b.tools).map((t, k) => {
      const tool = t as Obj;
      if (tool.type != null && tool.type !== 'custom')
        return refuse(`tools[${k}].type`, `server tool '${String(tool.type)}' runs only on Anthropic`);
      return {
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
      };
    });
  const tc = b.tool_choice as Obj | undefined;
  if (tc != null) {
    const map: Record<string, unknown> = { auto: 'auto', any: 'required', none: 'none' };
    out.tool_choice = tc.type === 'tool' ? { type: 'function', function: { name: tc.name } } : map[String(tc.type)];
    if (out.tool_choice === undefined) refuse('tool_choice.type', 'use auto, any, tool or none');
    if (tc.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }
  return { body: out };
}

/** The caller's body in the provider's protocol (a copy; the same object shape when the protocols match). */
export function toProvider(from: Protocol, target: Protocol, body: Obj): { body: Obj; jsonTool?: string } {
  if (from === target) {
    checkFields(from, target, body);
    return { body: { ...body } };
  }
  return from === 'openai' ? openAiToAnthropic(body) : anthropicToOpenAi(body);
}
