// Identifiers: time-sortable, prefixed by kind (dec_, apr_, run_ ...), unique without coordination.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A 26-char ULID-like id (10 chars of time, 16 of randomness) after `prefix_`. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let t = nowMs;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  let r = '';
  for (let i = 0; i < 16; i++) r += ALPHABET[rnd[i] & 31];
  return `${prefix}_${time}${r}`;
}
