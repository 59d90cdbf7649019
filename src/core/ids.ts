// Identifiers: time-sortable, prefixed by kind (dec_, apr_, run_ ...), unique without coordination; and secret
// tokens (API keys, admin tokens). The one home for both.
import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
// Random bytes drawn 4 KiB at a time: one syscall per 256 ids instead of one per id (ids are made per decision).
const POOL = Buffer.alloc(16 * 256);
let offset = POOL.length;

/** A 26-char ULID-like id (10 chars of time, 16 of randomness) after `prefix_`. */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  if (offset + 16 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  let t = nowMs;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let r = '';
  for (let i = 0; i < 16; i++) r += ALPHABET[POOL[offset + i] & 31];
  offset += 16;
  return `${prefix}_${time}${r}`;
}

/** A bearer secret: `prefix` then `bytes` random bytes in base64url (never logged; store only its hash). */
export function newSecretToken(prefix: string, bytes = 24): string {
  return prefix + randomBytes(bytes).toString('base64url');
}
