// A token vault kept in a JSON file (mode 0600), so the CLI can tokenize in one run and restore in another.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.js';
import type { TokenVault } from './types.js';
import { createMemoryVault } from './vault.js';

export interface FileVault extends TokenVault {
  /** Writes new tokens to the file. */
  save(): void;
}

type Entry = { type: string; value: string };
type VaultFile = Record<string, Record<string, Entry>>;

export function openFileVault(path: string): FileVault {
  // Maps, not plain objects: a scope or token named `__proto__` must stay data.
  const data = new Map<string, Map<string, Entry>>();
  if (existsSync(path)) {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as VaultFile;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      for (const [scope, tokens] of Object.entries(parsed)) data.set(scope, new Map(Object.entries(tokens)));
    } catch (err) {
      throw new InvalidInputError(
        `Cannot read the token vault ${path}: ${(err as Error).message}; pass another --vault file.`,
        [{ path, message: 'expected a JSON object written by `gatehouse dlp scan --redact --mode tokenize`' }],
      );
    }
  }
  const mem = createMemoryVault();
  let dirty = false;
  return {
    tokenize(scope, type, value) {
      const tokens = data.get(scope) ?? new Map<string, Entry>();
      for (const [token, e] of tokens) if (e.type === type && e.value === value) return token;
      const token = mem.tokenize(scope, type, value);
      tokens.set(token, { type, value });
      data.set(scope, tokens);
      dirty = true;
      return token;
    },
    lookup(scope, token) {
      return data.get(scope)?.get(token)?.value;
    },
    save() {
      if (!dirty) return;
      const out = Object.fromEntries([...data].map(([scope, tokens]) => [scope, Object.fromEntries(tokens)]));
      writeFileSync(path, JSON.stringify(out), { mode: 0o600 });
      chmodSync(path, 0o600);
      dirty = false;
    },
  };
}
