#!/usr/bin/env node
// Bundles the CLI front (command tree, HTTP client, commander) into one file so `gatehouse` starts without
// resolving ~40 ES modules; what a command loads lazily (the server, verify workers, the DLP engine) stays in
// dist/ and is imported from there, so worker paths and module state are those of the compiled tree.
import { build } from 'esbuild';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = join(root, 'dist', 'src', 'cli');
const outfile = join(cliDir, 'cli-bundle.js');
// Kept as one shared copy: `instanceof GatehouseError` must hold for errors thrown by lazily loaded modules.
const shared = new Set([join(root, 'dist', 'src', 'core', 'errors.js')]);

const toDist = (abs) => {
  const rel = relative(cliDir, abs);
  return rel.startsWith('.') ? rel : `./${rel}`;
};

await build({
  entryPoints: [join(cliDir, 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // Less to parse at every start; identifiers stay readable for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // commander is CommonJS and requires node builtins; give the bundle a real `require`.
  banner: {
    js: "import { createRequire as __ghRequire } from 'node:module'; const require = __ghRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'lazy-stays-in-dist',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          const abs = resolve(args.resolveDir, args.path);
          if (args.kind === 'dynamic-import' || shared.has(abs)) return { path: toDist(abs), external: true };
          return undefined;
        });
        // Packages loaded lazily (zod for `app init`) stay external too; eager ones (commander) are bundled.
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
        );
      },
    },
  ],
});
