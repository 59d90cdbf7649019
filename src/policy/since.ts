// Parses --since / ?since values: a duration back from now (30m, 24h, 7d), an ISO date, or epoch milliseconds.
// Hand-written: four units and a date fallback; a duration library would add more surface than it saves.
import { InvalidInputError } from '../core/errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseSince(value: string, now: number, field = 'since'): number {
  const v = value.trim();
  const dur = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  if (dur) return now - Number(dur[1]) * UNIT_MS[dur[2].toLowerCase()];
  if (/^\d{10,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!Number.isNaN(t)) return t;
  throw new InvalidInputError(
    `${field} '${value}' is not a time: use a duration such as 30m, 24h or 7d, an ISO date, or epoch milliseconds.`,
    [{ path: field, message: 'not a duration or date' }],
  );
}
