// The last signed checkpoint, pinned in GATEHOUSE_HOME (outside the database): the server writes it after every
// committed batch and checks the store against it on open; `gatehouse audit verify` trusts it by default and moves
// it forward after each successful verification. A database cut back to an older signed size no longer passes.
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCheckpointBody } from './note.js';

export const PINNED_CHECKPOINT_FILE = 'audit-pinned-checkpoint';

export function pinnedCheckpointPath(home: string): string {
  return join(resolve(home), PINNED_CHECKPOINT_FILE);
}

/** The pinned note's text, or undefined when there is none (a missing file; other read errors throw). */
export function readPinnedCheckpoint(home: string): string | undefined {
  try {
    return readFileSync(pinnedCheckpointPath(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Size named by a note's body, or -1 when it does not parse (its signature is checked by whoever trusts it). */
function sizeOf(note: string | undefined): number {
  if (!note) return -1;
  try {
    return parseCheckpointBody(note.slice(0, note.indexOf('\n\n') + 1)).size;
  } catch {
    return -1;
  }
}

/**
 * Replaces the pin with `note` when it is for a larger tree than the pinned one (an older note never replaces a
 * newer one, so a lagging writer or a second replica sharing the home cannot move it back). Atomic: temp + rename,
 * off the event loop (a synchronous write and rename cost an fsync-bound append ~3 ms on a busy disk).
 * Resolves with whether it wrote.
 */
export async function pinCheckpoint(home: string, note: string): Promise<boolean> {
  const path = pinnedCheckpointPath(home);
  const current = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (sizeOf(note) <= sizeOf(current)) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, note, { mode: 0o644 });
  await rename(tmp, path);
  return true;
}
