// The sealed vault's file names and line format: each entry one AES-256-GCM sealed, base64 line under a 32-byte key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UnavailableError } from '../core/errors.js';

export const VAULT_KEY_FILE = 'dlp-vault.key';
export const VAULT_FILE = 'dlp-vault.sealed';
/** The new key while `dlp vault rotate-key` re-seals the vault (the old one stays in VAULT_KEY_FILE until done). */
export const VAULT_NEXT_KEY_FILE = 'dlp-vault.key.next';
export const VAULT_LOCK_FILE = 'dlp-vault.lock';
/** Binds every line to this format: a line sealed for something else does not authenticate here. */
const AAD = Buffer.from('gatehouse dlp vault v1');

export interface Entry {
  t: number;
  s: string;
  k: string;
  y: string;
  v: string;
}

export function seal(key: Buffer, e: Entry): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(AAD);
  const body = Buffer.concat([c.update(JSON.stringify(e), 'utf8'), c.final()]);
  return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64') + '\n';
}

export function unseal(key: Buffer, line: string): Entry {
  const raw = Buffer.from(line, 'base64');
  if (raw.length < 12 + 16 + 2) throw new Error('too short');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAAD(AAD);
  d.setAuthTag(raw.subarray(raw.length - 16));
  const text = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  return JSON.parse(text) as Entry;
}

/** Reads a key file: 32 bytes of base64, or UnavailableError naming the file. */
export function parseVaultKey(path: string): Buffer {
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new UnavailableError(
      `The tokenization vault key ${path} is not 32 bytes of base64; restore it from your backup.`,
    );
  return key;
}

/** The complete lines of a vault file's text (a torn last line, a write a crash cut short, is not one). */
export function completeLines(text: string): string[] {
  return text.split('\n').slice(0, -1);
}
