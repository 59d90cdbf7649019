// AES-256-GCM sealing with a 32-byte key kept in a file (mode 600): one home for the platform's encryption at rest.
// A sealed value is base64(iv ‖ ciphertext ‖ tag), bound to a purpose string (AAD) so a value sealed for one use
// does not authenticate as another.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UnavailableError } from './errors.js';

export function seal(key: Buffer, aad: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64');
}

/** Throws when the value was edited, sealed with another key or for another purpose. */
export function unseal(key: Buffer, aad: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 12 + 16 + 2) throw new Error('too short');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
}

/**
 * Reads the base64 key at `path`, creating it (32 random bytes, mode 600) when absent and `mayCreate`. `what` names
 * the data the key protects in errors; `whenMissing` says what to do when it may not be created.
 */
export function readOrCreateSealKey(path: string, what: string, mayCreate: boolean, whenMissing: string): Buffer {
  if (!existsSync(path)) {
    if (!mayCreate) throw new UnavailableError(`${what} exists but its key ${path} is missing; ${whenMissing}`);
    const key = randomBytes(32);
    writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return key;
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new UnavailableError(`The key ${path} for ${what} is not 32 bytes of base64; restore it from your backup.`);
  return key;
}
