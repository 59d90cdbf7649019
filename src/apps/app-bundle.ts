// Reads an app manifest file and the code files it references (relative to the manifest), for submit.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import { parseYamlDocuments } from '../core/yaml-documents.js';

export interface AppBundle {
  manifest: unknown;
  code: Record<string, string>;
}

function readText(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidInputError(
      `Cannot read ${path} (named by ${field}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      [{ path: field, message: `file ${path} is missing` }],
    );
  }
}

export function readAppBundle(manifestPath: string): AppBundle {
  const docs = parseYamlDocuments(readText(manifestPath, 'the manifest argument'), manifestPath);
  if (docs.length !== 1)
    throw new InvalidInputError(`${manifestPath} must hold exactly one App document, found ${docs.length}.`);
  const manifest = docs[0].value;
  const runtime = (manifest as { spec?: { runtime?: { entrypoint?: unknown; files?: unknown } } })?.spec?.runtime;
  const code: Record<string, string> = {};
  const base = dirname(manifestPath);
  const names: [string, string][] = [];
  if (typeof runtime?.entrypoint === 'string') names.push([runtime.entrypoint, 'spec.runtime.entrypoint']);
  if (Array.isArray(runtime?.files))
    runtime.files.forEach((f, i) => typeof f === 'string' && names.push([f, `spec.runtime.files[${i}]`]));
  for (const [name, field] of names) {
    // Paths escaping the folder are rejected by the server; don't read them here either.
    if (name.startsWith('/') || name.split(/[\\/]/).includes('..')) continue;
    code[name] = readText(join(base, name), field);
  }
  return { manifest, code };
}
