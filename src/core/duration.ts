// Human durations (90s, 15m, 24h, 7d, 1w) and `--since` times: the one parser for both, naming the field on error.
// Hand-written: six units and a date fallback; a duration library would add more surface than it saves.
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

/**
 * A point in time for `--since` / `?since=`: a duration back from `now` (30m, 24h, 7d, 1w), an ISO date or time,
 * or epoch milliseconds. Returns epoch ms.
 */
export function parseSince(value: string, now: number, field = 'since'): number {
  const v = value.trim();
  const dur = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(v);
  if (dur) return now - Number(dur[1]) * UNITS[dur[2]];
  if (/^\d{10,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t;
  throw new InvalidInputError(
    `${field} '${value}' is not a time: use a duration such as 30m, 24h, 7d or 1w, an ISO date, or epoch milliseconds.`,
    [{ path: field, message: 'not a duration or date' }],
  );
}

/** A duration in whole seconds: plain seconds (900) or a duration (15m), as session and token TTLs take. */
export function parseSeconds(value: string | number, field: string): number {
  const text = String(value).trim();
  const isDuration = /^\d+(?:\.\d+)?\s*(ms|s|m|h|d|w)$/.test(text);
  const secs = /^\d+$/.test(text) ? Number(text) : isDuration ? parseDuration(text, field) / 1000 : NaN;
  if (!Number.isFinite(secs) || secs <= 0)
    throw new InvalidInputError(`${field}: '${value}' is not a duration; use e.g. 15m, 1h or 900 (seconds).`, [
      { path: field, message: 'use e.g. 15m, 1h or 900 (seconds)' },
    ]);
  return Math.round(secs);
}
