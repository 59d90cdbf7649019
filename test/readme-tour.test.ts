// The README's "A short tour" runs as written: its fenced sh block(s) are extracted and executed with bash against a
// server of their own (temporary GATEHOUSE_HOME, free port), so the README cannot drift from the code. The only
// rewrite is the fake provider's port (9090 in the tour and examples/demo/local-models.yaml), so parallel runs on
// one machine do not collide.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../src/core/repo-root.js';
import { freePort } from '../src/testing/free-port.js';
import { tempDir } from '../src/testing/databases.js';

/** Every ```sh block between the "A short tour" heading and the next heading of its level. */
export function tourBlocks(readme: string): string[] {
  const start = readme.indexOf('## A short tour');
  assert.ok(start >= 0, 'the README has a "## A short tour" section');
  const rest = readme.slice(start + 3);
  const section = rest.slice(0, rest.search(/\n## /) >>> 0);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function startServer(home: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [repoPath('bin', 'gatehouse'), 'serve', '--host', '127.0.0.1', '--port', String(port)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? home,
        GATEHOUSE_HOME: home,
        GATEHOUSE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function runBash(script: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: repoPath(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('README tour', () => {
  it('runs as written against a temporary home and port', async () => {
    const blocks = tourBlocks(readFileSync(repoPath('README.md'), 'utf8'));
    assert.ok(blocks.length >= 1);
    const home = tempDir('gatehouse-tour-');
    const [port, upstreamPort] = [await freePort(), await freePort()];
    const models = join(home, 'local-models.yaml');
    writeFileSync(
      models,
      readFileSync(repoPath('examples', 'demo', 'local-models.yaml'), 'utf8').replaceAll(
        '127.0.0.1:9090',
        `127.0.0.1:${upstreamPort}`,
      ),
    );
    const script = blocks
      .join('\n')
      .replaceAll('examples/demo/local-models.yaml', models)
      .replaceAll('demo upstream &', `demo upstream --port ${upstreamPort} &`)
      .replaceAll('127.0.0.1:9090', `127.0.0.1:${upstreamPort}`);
    assert.notEqual(script, blocks.join('\n'), 'the tour still starts the fake provider and applies local-models.yaml');
    const server = await startServer(home, port);
    try {
      const r = await runBash(`set -e\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}`, {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? home,
        GATEHOUSE_HOME: home,
        GATEHOUSE_URL: `http://127.0.0.1:${port}`,
      });
      assert.equal(r.code, 0, r.out.slice(-4000));
      const claims: [RegExp, string][] = [
        [/^\d+\.\d+\.\d+/m, '--version'],
        [/exit 2/, 'the misspelt model is a usage error'],
        [/still pending: waiting on/, 'approve says who else must approve'],
        [/17 passed, 0 failed/, 'policy tests'],
        [/"content":"Echo: My SSN is \[US_SSN\]"/, 'the OpenAI surface answered; the provider saw the SSN masked'],
        [/transcript-insights v1 is released/, 'approved by every reviewer, then released'],
        [/"type":"message"/, 'the Anthropic surface answered'],
        [/no firings yet/, 'alerts history says how to see one'],
        [/time to contain/, 'the demo summary'],
        [/fix: /, 'doctor names fixes'],
      ];
      for (const [re, what] of claims) assert.match(r.out, re, what);
    } finally {
      server.kill('SIGTERM');
    }
  });
});
