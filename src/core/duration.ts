// Parses human durations (90s, 15m, 24h, 7d) into milliseconds, naming the field on error.
import { InvalidInputError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!m)
    throw new InvalidInputError(
      `${field}: '${text}' is not a duration; use a number and a unit, such as 90s, 15m, 24h or 7d.`,
      [{ path: field, message: 'expected a duration like 15m' }],
    );
  const ms = Number(m[1]) * UNITS[m[2]];
  if (ms <= 0)
    throw new InvalidInputError(`${field}: the duration must be greater than zero.`, [
      { path: field, message: 'must be > 0' },
    ]);
  return ms;
}
