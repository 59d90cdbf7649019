// `gatehouse dlp vault rotate-key`: re-seals every vault entry under a new key. The old key stays in
// dlp-vault.key until the re-sealed vault has replaced the old file; a rotation cut short by a crash is finished
// (the vault is already on the new key) or rolled back (it is not) the next time the vault is opened or rotated.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UnavailableError } from '../core/errors.js';
import {
  completeLines,
  parseVaultKey,
  seal,
  unseal,
  VAULT_FILE,
  VAULT_KEY_FILE,
  VAULT_LOCK_FILE,
  VAULT_NEXT_KEY_FILE,
  type Entry,
} from './vault-crypto.js';

type LockHolder = 'serve' | 'rotate-key';

function alive(pid: number, host: unknown): boolean {
  // Another host's process cannot be checked from here (a second container on the same volume): assume it lives.
  if (typeof host === 'string' && host !== hostname()) return true;
  if (pid === process.pid) return false; // our own stale lock (e.g. pid 1 in a restarted container)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks the vault as used by this process. A rotation refuses a vault a live server holds; a server refuses to
 * open while a rotation runs. A lock left by a dead process on this host is taken over; one written on another
 * host (a container sharing the volume) is respected until an operator removes it.
 */
export function takeVaultLock(home: string, what: LockHolder): { release(): void } {
  const path = join(home, VAULT_LOCK_FILE);
  if (existsSync(path)) {
    let held: { pid?: unknown; what?: unknown; host?: unknown } = {};
    try {
      held = JSON.parse(readFileSync(path, 'utf8')) as typeof held;
    } catch {
      // unreadable: a torn write by a process that died
    }
    const pid = typeof held.pid === 'number' ? held.pid : 0;
    const blocks = what === 'rotate-key' || held.what === 'rotate-key';
    if (pid > 0 && blocks && alive(pid, held.host))
      throw new UnavailableError(
        what === 'rotate-key'
          ? `The tokenization vault in ${home} is open in Gatehouse process ${pid} on ${String(held.host ?? 'this host')}; stop it, then rotate the key (if that process is gone, delete ${path}).`
          : `A vault key rotation (process ${pid} on ${String(held.host ?? 'this host')}) is running in ${home}; start Gatehouse when it has finished (if it is gone, delete ${path}).`,
      );
    // A rotation takes the lock only by creating the file, so two started together cannot both win.
    if (what === 'rotate-key') unlinkSync(path);
  }
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), what });
  try {
    writeFileSync(path, mine, { mode: 0o600, flag: what === 'rotate-key' ? 'wx' : 'w' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new UnavailableError(`Another process took the tokenization vault lock ${path} just now; try again.`);
  }
  return {
    release() {
      try {
        if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Finishes or rolls back a rotation a crash interrupted: the key that opens the vault's first line is kept. */
export function finishInterruptedRotation(home: string): void {
  const next = join(home, VAULT_NEXT_KEY_FILE);
  if (!existsSync(next)) return;
  const vault = join(home, VAULT_FILE);
  const first = existsSync(vault) ? completeLines(readFileSync(vault, 'utf8'))[0] : undefined;
  let onNext = false;
  if (first !== undefined)
    try {
      unseal(parseVaultKey(next), first);
      onNext = true;
    } catch {
      // the vault is still sealed with the old key
    }
  if (onNext) renameSync(next, join(home, VAULT_KEY_FILE));
  else unlinkSync(next);
  fsyncDir(home);
}

export interface RotationResult {
  entries: number;
}

/** Re-seals the vault in `home` under a new key. The server must be stopped (the vault lock says so). */
export function rotateVaultKey(home: string): RotationResult {
  const keyPath = join(home, VAULT_KEY_FILE);
  const vaultPath = join(home, VAULT_FILE);
  if (!existsSync(keyPath))
    throw new UnavailableError(
      `There is no tokenization vault key in ${home} (${VAULT_KEY_FILE}); point GATEHOUSE_HOME at the server's home.`,
    );
  const lock = takeVaultLock(home, 'rotate-key');
  try {
    finishInterruptedRotation(home);
    const oldKey = parseVaultKey(keyPath);
    const entries: Entry[] = [];
    const lines = existsSync(vaultPath) ? completeLines(readFileSync(vaultPath, 'utf8')) : [];
    lines.forEach((line, i) => {
      try {
        entries.push(unseal(oldKey, line));
      } catch {
        throw new UnavailableError(
          `The tokenization vault ${vaultPath} line ${i + 1} does not authenticate with ${keyPath}; nothing was changed. Restore the vault and its key from the same backup before rotating.`,
        );
      }
    });
    const newKey = randomBytes(32);
    const nextPath = join(home, VAULT_NEXT_KEY_FILE);
    writeFileSync(nextPath, newKey.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    const kfd = openSync(nextPath, 'r');
    fsyncSync(kfd);
    closeSync(kfd);
    const tmp = `${vaultPath}.rotating`;
    const out = openSync(tmp, 'w', 0o600);
    for (const e of entries) writeSync(out, seal(newKey, e));
    fsyncSync(out);
    closeSync(out);
    // From here the vault is on the new key; the old key file is replaced only after that is durable.
    renameSync(tmp, vaultPath);
    fsyncDir(home);
    renameSync(nextPath, keyPath);
    fsyncDir(home);
    return { entries: entries.length };
  } finally {
    lock.release();
  }
}
