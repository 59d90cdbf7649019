// Turns an app's code files (JS or TS, ES modules) into one self-contained script for the tiers, with esbuild.
import { build, type Plugin } from 'esbuild';
import { posix } from 'node:path';
import { InvalidInputError } from '../core/errors.js';

const NS = 'gh-app';
const EXTS = ['', '.ts', '.js', '.mjs', '.mts', '/index.ts', '/index.js'];

function loaderFor(path: string): 'ts' | 'js' {
  return /\.(ts|mts|cts)$/.test(path) ? 'ts' : 'js';
}

/** Bundles `entrypoint` and what it imports from `files` into an IIFE that sets `__gh_app` (its exports). */
export async function bundleApp(files: Record<string, string>, entrypoint: string): Promise<string> {
  const norm = (p: string) => posix.normalize(p).replace(/^\.\//, '');
  const table = new Map(Object.entries(files).map(([p, src]) => [norm(p), src]));
  if (!table.has(norm(entrypoint))) {
    throw new InvalidInputError(
      `spec.runtime.entrypoint '${entrypoint}' is not among the app's code files (${[...table.keys()].join(', ') || 'none'}).`,
    );
  }
  const virtual: Plugin = {
    name: 'gatehouse-app-files',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: norm(args.path), namespace: NS };
        if (!args.path.startsWith('.')) {
          return {
            errors: [
              {
                text: `import '${args.path}' is not allowed: apps may only import their own files (spec.runtime.files); capabilities come from ctx`,
              },
            ],
          };
        }
        const base = posix.join(posix.dirname(args.importer), args.path);
        // TypeScript style: './x.js' may name x.ts.
        const stem = base.replace(/\.(m?js)$/, '');
        const hit = [...EXTS.map((e) => norm(base + e)), ...EXTS.map((e) => norm(stem + e))].find((p) => table.has(p));
        if (!hit)
          return {
            errors: [{ text: `import '${args.path}' from ${args.importer} names no file in spec.runtime.files` }],
          };
        return { path: hit, namespace: NS };
      });
      b.onLoad({ filter: /.*/, namespace: NS }, (args) => ({
        contents: table.get(args.path) ?? '',
        loader: loaderFor(args.path),
      }));
    },
  };
  try {
    const out = await build({
      entryPoints: [norm(entrypoint)],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__gh_app',
      platform: 'neutral',
      target: 'es2020',
      logLevel: 'silent',
      plugins: [virtual],
    });
    return out.outputFiles[0].text;
  } catch (err) {
    const errors =
      (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
    const details = errors.map((e) => ({
      path: e.location ? `${e.location.file.replace(`${NS}:`, '')}:${e.location.line}` : entrypoint,
      message: e.text,
    }));
    const first = details[0];
    throw new InvalidInputError(
      `The app's code does not compile: ${first ? `${first.path}: ${first.message}` : `${entrypoint}: unknown esbuild error`}`,
      details,
    );
  }
}
