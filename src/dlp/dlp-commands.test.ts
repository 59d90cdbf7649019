// CLI: `gatehouse dlp scan` (findings, --redact, --jsonl, --block) and tokenize in one run, restore in another.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-dlp-'));
const env = { GATEHOUSE_HOME: join(dir, 'home') };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const file = join(dir, 'in.txt');
writeFileSync(file, 'Reach jane.doe@example.com, SSN 219-09-9998.\n');

describe('gatehouse dlp scan', () => {
  it('lists findings without printing the values', async () => {
    const r = await cli('dlp', 'scan', file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /EMAIL_ADDRESS/);
    assert.match(r.out, /US_SSN/);
    assert.ok(!r.out.includes('219-09-9998'));
  });
  it('prints redacted text, and JSON with --json', async () => {
    const r = await cli('dlp', 'scan', file, '--redact');
    assert.equal(r.out, 'Reach [EMAIL_ADDRESS], SSN [US_SSN].');
    const j = JSON.parse((await cli('dlp', 'scan', file, '--redact', '--mode', 'partial', '--json')).out) as {
      redacted: string;
      findings: unknown[];
    };
    assert.equal(j.redacted, 'Reach ****.***@******e.com, SSN ***-**-9998.\n');
    assert.equal(j.findings.length, 2);
  });
  it('fails with exit 1 naming the blocked types, not the values', async () => {
    const r = await cli('dlp', 'scan', file, '--block', 'US_SSN');
    assert.equal(r.code, 1);
    assert.match(r.err, /US_SSN/);
    assert.ok(!r.err.includes('219-09-9998'));
  });
  it('tokenizes into a vault file and restores in another run', async () => {
    const vault = join(dir, 'vault.json');
    const red = await cli('dlp', 'scan', file, '--redact', '--mode', 'tokenize', '--vault', vault, '--scope', 't1');
    assert.equal(red.code, 0, red.err + red.out);
    assert.match(red.out, /^Reach \[EMAIL_ADDRESS:tk_[0-9a-f]{12}\], SSN \[US_SSN:tk_[0-9a-f]{12}\]\.$/);
    assert.equal(statSync(vault).mode & 0o777, 0o600);
    const redacted = join(dir, 'red.txt');
    writeFileSync(redacted, `Model says: ${red.out}`);
    assert.equal(
      (await cli('dlp', 'restore', redacted, '--vault', vault, '--scope', 't1')).out,
      'Model says: Reach jane.doe@example.com, SSN 219-09-9998.',
    );
    assert.equal(
      (await cli('dlp', 'restore', redacted, '--vault', vault, '--scope', 'other')).out,
      `Model says: ${red.out}`,
    );
  });
  it('processes JSON lines', async () => {
    const jl = join(dir, 'in.jsonl');
    writeFileSync(jl, '{"id": 1, "text": "mail a.b@example.org"}\n{"id": "x", "text": "nothing here"}\n');
    const r = await cli('dlp', 'scan', jl, '--jsonl', '--redact');
    const lines = r.out.split('\n').map(
      (l) =>
        JSON.parse(l) as {
          id: unknown;
          findings: { type: string; start: number; end: number; score: number }[];
          redacted: string;
        },
    );
    assert.deepEqual(lines[0], {
      id: 1,
      findings: [{ type: 'EMAIL_ADDRESS', start: 5, end: 20, score: 1 }],
      redacted: 'mail [EMAIL_ADDRESS]',
    });
    assert.deepEqual(lines[1], { id: 'x', findings: [], redacted: 'nothing here' });
  });
  it('exits 2 on bad input', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, 'not json\n');
    assert.equal((await cli('dlp', 'scan', bad, '--jsonl')).code, 2);
    assert.equal((await cli('dlp', 'scan', join(dir, 'missing.txt'))).code, 2);
    assert.equal((await cli('dlp', 'scan', file, '--redact', '--mode', 'shred')).code, 2);
    assert.equal(
      (await cli('dlp', 'scan', file, '--redact', '--mode', 'tokenize')).code,
      2,
      'tokenize without a vault',
    );
    assert.equal((await cli('dlp', 'scan', file, '--block', 'ssn')).code, 2);
    assert.ok(readFileSync(file, 'utf8').length > 0);
  });
});

describe('file vault (hostile scope names)', () => {
  it('keeps a __proto__ scope as data and does not pollute Object.prototype', async () => {
    const vault = join(dir, 'proto-vault.json');
    const red = await cli(
      'dlp',
      'scan',
      file,
      '--redact',
      '--mode',
      'tokenize',
      '--vault',
      vault,
      '--scope',
      '__proto__',
    );
    assert.equal(red.code, 0, red.err);
    assert.equal(({} as Record<string, unknown>)['[US_SSN:tk_'], undefined);
    assert.equal(Object.keys(Object.prototype).length, 0);
    const redacted = join(dir, 'proto-red.txt');
    writeFileSync(redacted, red.out);
    assert.equal(
      (await cli('dlp', 'restore', redacted, '--vault', vault, '--scope', '__proto__')).out,
      'Reach jane.doe@example.com, SSN 219-09-9998.',
    );
    assert.equal((await cli('dlp', 'restore', redacted, '--vault', vault, '--scope', 'default')).out, red.out);
  });
});
