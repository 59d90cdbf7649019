// The sealed vault's file names and line format: each entry one line sealed by core/sealed-box under a 32-byte key.
import { readFileSync } from 'node:fs';
import { UnavailableError } from '../core/errors.js';
import { seal as sealBox, unseal as unsealBox } from '../core/sealed-box.js';

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

export const seal = (key: Buffer, e: Entry): string => sealBox(key, AAD, JSON.stringify(e)) + '\n';

export const unseal = (key: Buffer, line: string): Entry => JSON.parse(unsealBox(key, AAD, line)) as Entry;

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
