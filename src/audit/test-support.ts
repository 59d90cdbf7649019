// Test helpers for the audit log: locating the RFC 6962 vectors vendored under test/fixtures/rfc6962.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/rfc6962 in the repository (the nearest folder above with package.json); throws if absent. */
export function rfc6962Dir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  const vectors = join(dir, 'test', 'fixtures', 'rfc6962');
  if (!existsSync(vectors)) throw new Error(`RFC 6962 test vectors not found at ${vectors}: restore test/fixtures/`);
  return vectors;
}

/** Every *.json file below `dir`, sorted. */
export function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFilesUnder(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}
