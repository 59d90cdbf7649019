// Policy message templates: "Connector {{resource.id}} is not approved" filled from the CEL activation.
// Hand-written: a dozen lines of path lookup; template libraries would add HTML escaping and logic we do not want.

export type Template = (vars: Record<string, unknown>) => string;

const ROOTS = new Set(['subject', 'resource', 'request', 'app', 'params', 'action', 'environment']);
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

function lookup(vars: Record<string, unknown>, path: string[]): string {
  let v: unknown = vars;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string, unknown>)[k];
  }
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Compiles a template; an unknown variable root or a malformed placeholder throws (caught at load time). */
export function compileTemplate(text: string): Template {
  const parts: (string | string[])[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const path = m[1].split('.');
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(m[1]) || !ROOTS.has(path[0])) {
      throw new Error(`placeholder {{${m[1]}}} must be a path under ${[...ROOTS].join(', ')} (e.g. {{resource.id}})`);
    }
    parts.push(text.slice(last, m.index), path);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  if (parts.length === 1) return () => text;
  return (vars) => parts.map((p) => (typeof p === 'string' ? p : lookup(vars, p))).join('');
}
