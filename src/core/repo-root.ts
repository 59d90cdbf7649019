// Finds files shipped with Gatehouse (examples, templates) whether running from src/ (tsx) or dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding Gatehouse's package.json. */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Gatehouse installation folder (package.json + examples/)');
    dir = up;
  }
}

export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
