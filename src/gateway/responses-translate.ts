// Responses API request → Chat Completions request (the gateway serves /v1/responses through the chat pipeline, so
// it reaches OpenAI and Anthropic models alike). Every field is translated or refused with a 400 naming it.
import type { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import { parseOrThrow } from '../core/validation.js';
import { openAiBody } from './openai-surface.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(path: string, why: string): never {
  throw new InvalidInputError(`Responses field '${path}' cannot be served: ${why}.`, [{ path, message: why }], {
    field: path,
  });
}

/** Fields read below; anything else is refused (a field nobody knows is never dropped silently). */
const KNOWN = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'user',
  'safety_identifier',
  'max_output_tokens',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'store',
  'stream_options',
  'metadata',
]);

function parts(content: unknown, path: string): string | Obj[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) refuse(path, 'content is a string or a list of parts');
  return content.map((p: unknown, i) => {
    const t = isObj(p) ? p.type : undefined;
    if (!isObj(p)) refuse(`${path}[${i}]`, 'each part is an object with a type');
    if (t === 'input_text' || t === 'output_text') return { type: 'text', text: String(p.text ?? '') };
    if (t === 'input_image') {
      if (typeof p.image_url !== 'string') refuse(`${path}[${i}].image_url`, 'send the image as a URL or data URL');
      return { type: 'image_url', image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } };
    }
    return refuse(`${path}[${i}].type`, `part type '${String(t)}' is not supported (input_text, input_image)`);
  });
}

function messages(input: unknown, instructions: unknown): Obj[] {
  const out: Obj[] = [];
  if (typeof instructions === 'string' && instructions) out.push({ role: 'developer', content: instructions });
  if (typeof input === 'string') return [...out, { role: 'user', content: input }];
  (input as unknown[]).forEach((item, i) => {
    const path = `input[${i}]`;
    if (!isObj(item)) refuse(path, 'each input item is an object');
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role;
      if (role !== 'user' && role !== 'system' && role !== 'developer' && role !== 'assistant')
        refuse(`${path}.role`, 'roles are user, system, developer and assistant');
      const content = parts(item.content, `${path}.content`);
      const text = typeof content === 'string' ? content : content.map((p) => String(p.text ?? '')).join('');
      out.push({ role, content: role === 'assistant' ? text : content });
    } else if (type === 'function_call') {
      const call = {
        id: String(item.call_id ?? ''),
        type: 'function',
        function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '{}') },
      };
      const last = out.at(-1);
      if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) (last.tool_calls as Obj[]).push(call);
      else out.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      const output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? '');
      out.push({ role: 'tool', tool_call_id: String(item.call_id ?? ''), content: output });
    } else
      refuse(
        `${path}.type`,
        `input item type '${String(type)}' is not supported (message, function_call, function_call_output)`,
      );
  });
  return out;
}

function tools(list: unknown): Obj[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) refuse('tools', 'tools is a list');
  return list.map((t: unknown, i) => {
    if (!isObj(t) || t.type !== 'function')
      refuse(`tools[${i}].type`, `only function tools are served (got '${String(isObj(t) ? t.type : t)}')`);
    const fn: Obj = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
    if (t.description !== undefined) fn.description = t.description;
    if (t.strict !== undefined && t.strict !== null) fn.strict = t.strict;
    return { type: 'function', function: fn };
  });
}

function toolChoice(tc: unknown): unknown {
  if (tc === undefined || tc === null || typeof tc === 'string') return tc ?? undefined;
  if (isObj(tc) && tc.type === 'function') return { type: 'function', function: { name: tc.name } };
  return refuse('tool_choice', "use 'auto', 'none', 'required' or {type:'function', name}");
}

function responseFormat(text: unknown): unknown {
  if (text === undefined || text === null) return undefined;
  if (!isObj(text)) return refuse('text', 'text is an object ({format})');
  for (const k of Object.keys(text)) if (k !== 'format') refuse(`text.${k}`, 'not supported by the gateway');
  const f = text.format;
  if (!isObj(f) || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema')
    return {
      type: 'json_schema',
      json_schema: { name: f.name, schema: f.schema, ...(f.strict !== undefined ? { strict: f.strict } : {}) },
    };
  return refuse('text.format.type', 'use text, json_object or json_schema');
}

/** The chat body for a Responses request, and its parse (the chat surface's schema). */
export function responsesToChat(raw: Obj): { raw: Obj; parsed: z.output<typeof openAiBody> } {
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) refuse(k, 'not supported by the gateway on /v1/responses');
  if (raw.store === true) refuse('store', 'the gateway keeps no responses; send store: false or omit it');
  if (raw.metadata !== undefined && raw.metadata !== null && Object.keys(raw.metadata as Obj).length)
    refuse('metadata', 'response metadata is not stored by the gateway');
  const chat: Obj = { model: raw.model, messages: messages(raw.input, raw.instructions) };
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null) chat[k] = v;
  };
  set('max_tokens', raw.max_output_tokens);
  set('temperature', raw.temperature);
  set('top_p', raw.top_p);
  set('stream', raw.stream);
  set('user', raw.user ?? raw.safety_identifier);
  set('tools', tools(raw.tools));
  set('tool_choice', toolChoice(raw.tool_choice));
  set('parallel_tool_calls', raw.parallel_tool_calls);
  set('response_format', responseFormat(raw.text));
  if (raw.stream === true) chat.stream_options = { include_usage: true };
  return { raw: chat, parsed: parseOrThrow(openAiBody, chat, 'responses request') };
}
