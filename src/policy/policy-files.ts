// Reads a policy directory (recursively, *.yaml and *.yml) into the file list the compiler and the API take.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import type { PolicyFile } from './compiler.js';

/** Files sorted by path; paths are shown as `dir/relative` so errors point at what the user typed. */
export function readPolicyDir(dir: string): PolicyFile[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new InvalidInputError(`Policy directory ${dir} does not exist; pass a directory of *.yaml policy files.`, [
      { path: dir, message: 'not found' },
    ]);
  }
  const files: PolicyFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name))
        files.push({ path: join(dir, relative(dir, p)), content: readFileSync(p, 'utf8') });
    }
  };
  if (st.isDirectory()) walk(dir);
  else files.push({ path: dir, content: readFileSync(dir, 'utf8') });
  if (files.length === 0)
    throw new InvalidInputError(`No *.yaml or *.yml files in ${dir}.`, [
      { path: dir, message: 'empty policy directory' },
    ]);
  return files;
}
