// The audit log's secrets in GATEHOUSE_HOME: the Ed25519 checkpoint signing key and the salt for hashing sensitive values.
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../core/errors.js';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';
export const SALT_FILE = 'audit-salt';

function readOrCreate(path: string, create: () => string): string {
  if (!existsSync(path)) {
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      writeFileSync(path, create(), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) chmodSync(path, 0o600);
  return readFileSync(path, 'utf8');
}

/** Loads the signing key, generating it (mode 0600) on first start. */
export function loadSigningKey(home: string): KeyObject {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = join(home, SIGNING_KEY_FILE);
  const pem = readOrCreate(path, () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type is ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new UnavailableError(
      `The audit signing key ${path} is unreadable (${(err as Error).message}); restore it from backup (removing it starts a new key and breaks pinned verifiers).`,
    );
  }
}

/** Loads the 32-byte salt for hashing sensitive values, generating it (mode 0600) on first start. */
export function loadSalt(home: string): Buffer {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = join(home, SALT_FILE);
  const hex = readOrCreate(path, () => randomBytes(32).toString('hex') + '\n').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new UnavailableError(`The audit salt ${path} is not 64 hex digits; restore it from backup.`);
  return Buffer.from(hex, 'hex');
}
