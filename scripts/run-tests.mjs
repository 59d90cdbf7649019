#!/usr/bin/env node
// Runs every compiled *.test.js under dist/ with node's test runner (Node 20's --test takes no globs).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
}
for (const top of ['dist/src', 'dist/test']) {
  try {
    walk(join(root, top));
  } catch {
    /* folder absent */
  }
}
const picked = files.filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s))).sort();
if (picked.length === 0) {
  console.error('run-tests: no test files matched; run `npm run build` first');
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...picked],
  { stdio: 'inherit', env: { ...process.env, GATEHOUSE_LOG_LEVEL: process.env.GATEHOUSE_LOG_LEVEL ?? 'silent' } },
);
process.exit(res.status ?? 1);
