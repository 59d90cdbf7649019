// Loads the DLP engine of another git revision (default `main`) for a same-run baseline in bench:dlp: its src/dlp
// and src/core are extracted with `git archive` under node_modules/.cache, where they resolve this checkout's packages.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DlpEngine } from '../src/dlp/index.js';

export interface BaselineEngine {
  ref: string;
  commit: string;
  engine: DlpEngine;
}

export async function loadBaselineEngine(
  ref = process.env.DLP_BASELINE_REF ?? 'main',
): Promise<BaselineEngine | string> {
  const root = new URL('..', import.meta.url).pathname;
  try {
    const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dir = join(root, 'node_modules', '.cache', 'dlp-baseline', commit);
    if (!existsSync(join(dir, 'src', 'dlp', 'index.ts'))) {
      mkdirSync(dir, { recursive: true });
      const tar = execFileSync('git', ['archive', '--format=tar', commit, 'src/dlp', 'src/core'], {
        cwd: root,
        maxBuffer: 1 << 28,
      });
      execFileSync('tar', ['-x', '-C', dir], { input: tar });
    }
    const mod = (await import(pathToFileURL(join(dir, 'src', 'dlp', 'index.ts')).href)) as {
      createDlpEngine: () => DlpEngine;
    };
    return { ref, commit: commit.slice(0, 10), engine: mod.createDlpEngine() };
  } catch (err) {
    return `baseline engine at ${ref} unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}
