// A token vault kept in a JSON file (mode 0600), so the CLI can tokenize in one run and restore in another.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';
import type { TokenVault } from './types.js';
import { createMemoryVault } from './vault.js';

export interface FileVault extends TokenVault {
  /** Writes new tokens to the file. */
  save(): void;
}

type VaultFile = Record<string, Record<string, { type: string; value: string }>>;

export function openFileVault(path: string): FileVault {
  let data: VaultFile = {};
  if (existsSync(path)) {
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as VaultFile;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
    } catch (err) {
      throw new InvalidInputError(`Cannot read the token vault ${path}: ${(err as Error).message}; pass another --vault file.`, [{ path, message: 'expected a JSON object written by `gatehouse dlp scan --redact --mode tokenize`' }]);
    }
  }
  const mem = createMemoryVault();
  let dirty = false;
  return {
    tokenize(scope, type, value) {
      for (const [token, e] of Object.entries(data[scope] ?? {})) if (e.type === type && e.value === value) return token;
      const token = mem.tokenize(scope, type, value);
      (data[scope] ??= {})[token] = { type, value };
      dirty = true;
      return token;
    },
    lookup(scope, token) {
      return data[scope]?.[token]?.value;
    },
    save() {
      if (!dirty) return;
      writeFileSync(path, JSON.stringify(data), { mode: 0o600 });
      chmodSync(path, 0o600);
      dirty = false;
    },
  };
}
