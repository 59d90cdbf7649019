// The tokenization vault on disk, encrypted: each token → value pair is one AES-256-GCM sealed line appended to
// GATEHOUSE_HOME/dlp-vault.sealed, the key in GATEHOUSE_HOME/dlp-vault.key. A restart restores tokens minted
// before it; entries past their retention are dropped. Fails closed: a missing key or a line that does not
// authenticate stops the vault from opening rather than serving from a vault someone could have edited.
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../core/errors.js';
import { readOrCreateSealKey } from '../core/sealed-box.js';
import type { EntityType, TokenVault } from './types.js';
import { newToken } from './vault.js';
import { seal, unseal, VAULT_FILE, VAULT_KEY_FILE, type Entry } from './vault-crypto.js';
import { finishInterruptedRotation, takeVaultLock } from './vault-key-rotation.js';

export { VAULT_FILE, VAULT_KEY_FILE } from './vault-crypto.js';

export interface SealedVaultOptions {
  home: string;
  /** Entries older than this are forgotten (lookups miss, compaction drops them). */
  retentionMs: number;
  now?: () => number;
  /** How often appended lines are fsync'd (a process crash loses nothing; an OS crash at most this window). */
  syncMs?: number;
}

export interface SealedVault extends TokenVault {
  /** Rewrites the file with the entries still within retention (atomic rename). */
  compact(): void;
  close(): void;
}

function readKey(home: string, vaultExists: boolean): Buffer {
  return readOrCreateSealKey(
    join(home, VAULT_KEY_FILE),
    `The tokenization vault ${join(home, VAULT_FILE)}`,
    !vaultExists,
    'restore the key from your backup (or move the vault away to start an empty one, losing its tokens).',
  );
}

export function openSealedVault(o: SealedVaultOptions): SealedVault {
  const now = o.now ?? Date.now;
  const path = join(o.home, VAULT_FILE);
  // A key rotation that is running refuses us; one that died is finished or rolled back before the key is read.
  const lock = takeVaultLock(o.home, 'serve');
  let key: Buffer;
  try {
    finishInterruptedRotation(o.home);
    key = readKey(o.home, existsSync(path));
  } catch (err) {
    lock.release();
    throw err;
  }
  const live = (e: Entry) => e.t > now() - o.retentionMs;
  // scope → token → entry; Maps so a scope or token named `__proto__` stays data.
  const byToken = new Map<string, Map<string, Entry>>();
  const byValue = new Map<string, string>();
  const valueKey = (scope: string, type: string, value: string) =>
    `${scope.length}:${scope}\u0000${type}\u0000${value}`;
  const keep = (e: Entry) => {
    let tokens = byToken.get(e.s);
    if (!tokens) byToken.set(e.s, (tokens = new Map()));
    tokens.set(e.k, e);
    byValue.set(valueKey(e.s, e.y, e.v), e.k);
  };
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    // A last line without its newline is a write the process died in the middle of: not an entry, not tampering.
    const complete = lines.slice(0, -1); // ends with '' after a final newline, or with the torn line
    complete.forEach((line, i) => {
      let e: Entry;
      try {
        e = unseal(key, line);
      } catch {
        throw new UnavailableError(
          `The tokenization vault ${path} line ${i + 1} does not authenticate with the key in ${join(o.home, VAULT_KEY_FILE)} (edited, corrupted, or sealed with another key); restore the vault and its key from the same backup.`,
        );
      }
      if (live(e)) keep(e);
    });
  }
  let fd = -1;
  let dirty = false;
  const rewrite = () => {
    const tmp = `${path}.tmp`;
    const out = openSync(tmp, 'w', 0o600);
    for (const tokens of byToken.values()) for (const e of tokens.values()) if (live(e)) writeSync(out, seal(key, e));
    fsyncSync(out);
    closeSync(out);
    renameSync(tmp, path);
  };
  const compact = () => {
    for (const [scope, tokens] of byToken) {
      for (const [token, e] of tokens)
        if (!live(e)) {
          tokens.delete(token);
          byValue.delete(valueKey(e.s, e.y, e.v));
        }
      if (!tokens.size) byToken.delete(scope);
    }
    if (fd >= 0) closeSync(fd);
    rewrite();
    fd = openSync(path, 'a', 0o600);
  };
  // Opening compacts: expired entries leave the disk, and a torn last line is cut off.
  compact();
  const timer = setInterval(() => {
    if (dirty && fd >= 0) fdatasyncSync(fd);
    dirty = false;
  }, o.syncMs ?? 1000);
  timer.unref();
  const hourly = setInterval(compact, 3_600_000);
  hourly.unref();
  return {
    tokenize(scope: string, type: EntityType, value: string): string {
      const existing = byValue.get(valueKey(scope, type, value));
      const known = existing ? byToken.get(scope)?.get(existing) : undefined;
      if (known && live(known)) return known.k;
      const e: Entry = { t: now(), s: scope, k: newToken(type), y: type, v: value };
      keep(e);
      // Appended before the token is handed out: a token a caller saw is on disk once the process dies.
      writeSync(fd, seal(key, e));
      dirty = true;
      return e.k;
    },
    lookup(scope: string, token: string): string | undefined {
      const e = byToken.get(scope)?.get(token);
      return e && live(e) ? e.v : undefined;
    },
    compact,
    close() {
      clearInterval(timer);
      clearInterval(hourly);
      if (fd >= 0) {
        fdatasyncSync(fd);
        closeSync(fd);
        fd = -1;
      }
      lock.release();
    },
  };
}
