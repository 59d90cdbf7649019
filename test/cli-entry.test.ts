// The installed entry (bin/gatehouse -> the bundled CLI front): commands that load modules lazily from dist/ work,
// and errors thrown there keep their exit codes (one GatehouseError class across the bundle and dist/).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoPath } from '../src/core/repo-root.js';
import { startTestGatehouse, type TestGatehouse } from '../src/testing/test-gatehouse.js';
import { tempDir } from '../src/testing/databases.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function gatehouse(args: string[], env: Record<string, string>, stdin?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [repoPath('bin', 'gatehouse'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

describe('bin/gatehouse (bundled CLI front)', () => {
  let gh: TestGatehouse;
  before(async () => {
    gh = await startTestGatehouse();
  });
  after(async () => {
    await gh.close();
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
    const r = await gatehouse(['--version'], {});
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('runs a command whose engine is loaded lazily from dist/ (dlp scan)', async () => {
    const r = await gatehouse(['--json', 'dlp', 'scan', '-'], {}, 'my ssn is 536-22-8714\n');
    assert.equal(r.code, 0, r.stderr);
    const types = (JSON.parse(r.stdout) as { findings: { type: string }[] }).findings.map((f) => f.type);
    assert.deepEqual(types, ['US_SSN']);
  });

  it('keeps exit code 2 and the error line for bad input raised in a lazily loaded module', async () => {
    const home = tempDir('gh-cli-entry-');
    const r = await gatehouse(['serve'], { GATEHOUSE_HOME: home, GATEHOUSE_PORT: 'not-a-port' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: Invalid configuration .*server\.port/m);
  });

  it('verifies the audit log against a running server (lazy verify module)', async () => {
    const env = { GATEHOUSE_URL: gh.url, GATEHOUSE_TOKEN: gh.adminToken, GATEHOUSE_HOME: gh.home };
    const list = await gatehouse(['app', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    const r = await gatehouse(['--json', 'audit', 'verify'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { ok: boolean }).ok, true);
  });
});
