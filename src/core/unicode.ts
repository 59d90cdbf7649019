// Well-formed Unicode at the edge: a lone UTF-16 surrogate cannot be stored, hashed or canonicalized faithfully.

/** Path of the first string (or object key) in `value` holding a lone surrogate, or undefined when all are whole. */
export function illFormedPath(value: unknown, path = '(body)'): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = illFormedPath(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path === '(body)' ? k : `${path}.${k}`;
      if (!k.isWellFormed()) return here;
      const p = illFormedPath(v, here);
      if (p) return p;
    }
  }
  return undefined;
}
