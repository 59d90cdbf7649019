// Turns zod failures into InvalidInputError with a field path and what is allowed.
import { z } from 'zod';
import { InvalidInputError, type ErrorDetail } from './errors.js';

export function issuesToDetails(error: z.ZodError, prefix = ''): ErrorDetail[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
      .filter((s) => s !== '')
      .join('.')
      .replace(/\.\[/g, '[');
    return { path: path || '(root)', message: i.message };
  });
}

/** Parses `value` with `schema` or throws InvalidInputError naming `what` and every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = issuesToDetails(r.error, prefix);
  const first = details[0];
  throw new InvalidInputError(`Invalid ${what}: ${first.path}: ${first.message}`, details);
}
