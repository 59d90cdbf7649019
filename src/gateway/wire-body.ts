// Reads and rewrites protocol bodies for governance: the text of every message part, tool-call arguments and
// tool results (for DLP and token counts), the tools offered, image parts; and the governed fields set last.
import type { ChatMessage, Protocol } from './gateway-types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Applies `fn` to every string value inside a JSON value (keys untouched), so the document keeps its shape. */
export function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, fn)]));
  return v;
}

/** Redacts inside the string values of a JSON text (it stays valid JSON); text that is not JSON is redacted whole. */
export function redactJsonText(text: string, fn: (s: string) => string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fn(text);
  }
  return JSON.stringify(mapStrings(doc, fn));
}

/** Image parts: bytes or URLs, gated by the model's modalities and the egress guard, not scanned as text. */
const IMAGE_PARTS = new Set(['image', 'image_url']);

/**
 * The caller's text in a content value rewritten by `fn`. Parts the gateway does not model (documents, files,
 * search results, ...) pass through unchanged on same-protocol calls, so every string in them is scanned too:
 * a new part type must not carry text past prompt DLP.
 */
function mapContent(c: unknown, fn: (s: string) => string): unknown {
  if (typeof c === 'string') return fn(c);
  return arr(c).map((p) => {
    if (!isObj(p)) return p;
    if (p.type === 'text' && typeof p.text === 'string') return { ...p, text: fn(p.text) };
    if (p.type === 'tool_use') return { ...p, input: mapStrings(p.input, fn) };
    if (p.type === 'tool_result') return { ...p, content: mapContent(p.content, fn) };
    if (IMAGE_PARTS.has(String(p.type))) return p;
    return { ...(mapStrings(p, fn) as Obj), type: p.type };
  });
}

/** Every caller-supplied text of a body (message text, tool arguments, tool results, system) through `fn`. */
export function mapBodyText(protocol: Protocol, body: Obj, fn: (s: string) => string): Obj {
  const messages = arr(body.messages).map((raw) => {
    if (!isObj(raw)) return raw;
    const m: Obj = { ...raw };
    if (m.content != null) m.content = mapContent(m.content, fn);
    if (protocol === 'openai' && Array.isArray(m.tool_calls))
      m.tool_calls = m.tool_calls.map((c: Obj) =>
        isObj(c.function) && typeof c.function.arguments === 'string'
          ? { ...c, function: { ...c.function, arguments: redactJsonText(c.function.arguments, fn) } }
          : c,
      );
    return m;
  });
  const out: Obj = { ...body, messages };
  if (protocol === 'anthropic' && body.system != null) out.system = mapContent(body.system, fn);
  return out;
}

/**
 * mapBodyText with an async function (prompt DLP through an NER backend): collects the texts in walk order, redacts
 * them one by one (so the first block stops the call), then maps the same walk to the results.
 */
export async function redactBodyText(
  protocol: Protocol,
  body: Obj,
  fn: ((s: string) => Promise<string>) | undefined,
): Promise<Obj> {
  if (!fn) return body;
  const texts: string[] = [];
  mapBodyText(protocol, body, (s) => (texts.push(s), s));
  const out: string[] = [];
  for (const t of texts) out.push(await fn(t));
  let i = 0;
  return mapBodyText(protocol, body, () => out[i++]);
}

/** The body's text per message, flattened (token counts, the cache key); images count as nothing here. */
export function flatMessages(protocol: Protocol, body: Obj): ChatMessage[] {
  const out: ChatMessage[] = [];
  const collect = (c: unknown): string => {
    const parts: string[] = [];
    mapContent(c, (s) => (parts.push(s), s));
    return parts.join('');
  };
  if (protocol === 'anthropic' && body.system != null) out.push({ role: 'system', content: collect(body.system) });
  for (const raw of arr(body.messages)) {
    if (!isObj(raw)) continue;
    const role =
      raw.role === 'system' || raw.role === 'developer' ? 'system' : raw.role === 'assistant' ? 'assistant' : 'user';
    let content = raw.content == null ? '' : collect(raw.content);
    for (const c of arr(raw.tool_calls))
      if (isObj(c) && isObj(c.function)) content += `${String(c.function.name)}(${String(c.function.arguments)})`;
    out.push({ role, content });
  }
  return out;
}

/** Names of the tools a body offers the model (function tools for OpenAI, every tool for Anthropic). */
export function offeredTools(protocol: Protocol, body: Obj): string[] {
  return arr(body.tools).map((t) => {
    if (!isObj(t)) return '';
    if (protocol === 'openai') return isObj(t.function) ? String(t.function.name) : String(t.type);
    return String(t.name ?? t.type);
  });
}

/** Whether any message carries an image part. */
export function hasImages(body: Obj): boolean {
  return arr(body.messages).some(
    (m) => isObj(m) && arr(m.content).some((p) => isObj(p) && (p.type === 'image_url' || p.type === 'image')),
  );
}

/** The governed values the invoker decided, written over the body last. */
export interface Governed {
  model: string;
  maxTokens: number;
  temperature?: number;
  stream: boolean;
}

export function finalBody(provider: Protocol, body: Obj, g: Governed): Obj {
  const out: Obj = { ...body, model: g.model, stream: g.stream };
  if (g.temperature !== undefined) out.temperature = g.temperature;
  if (provider === 'openai') {
    // Newer OpenAI models take only max_completion_tokens: keep whichever name the caller used.
    if (out.max_completion_tokens != null) out.max_completion_tokens = g.maxTokens;
    else out.max_tokens = g.maxTokens;
    if (g.stream)
      out.stream_options = { ...(isObj(out.stream_options) ? out.stream_options : {}), include_usage: true };
    else delete out.stream_options;
  } else out.max_tokens = g.maxTokens;
  return out;
}
