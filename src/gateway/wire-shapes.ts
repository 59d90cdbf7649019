// Small readers of untyped wire bodies shared by the translators: object and array guards, text-only content and
// tool-call arguments that must be a JSON object (each refusal names the field).
import { refuse } from './wire-fields.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A message content that may only hold text: a string, or text parts joined; any other part is refused. */
export function textOnly(content: unknown, path: string): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((p, j) =>
      isObj(p) && p.type === 'text'
        ? String(p.text ?? '')
        : refuse(`${path}[${j}].type`, `a '${isObj(p) ? String(p.type) : typeof p}' part is only text here`),
    )
    .join('');
}

/** OpenAI tool-call arguments (a JSON string) as an object; empty is {}, anything else is refused. */
export function argsObject(v: unknown, path: string): Obj {
  try {
    const o = JSON.parse(typeof v === 'string' && v ? v : '{}') as unknown;
    if (isObj(o)) return o;
  } catch {
    // refused below
  }
  return refuse(path, 'tool-call arguments must be a JSON object');
}
