// `gatehouse dlp vault rotate-key`: every entry is re-sealed under a new key and still restores; the old key no
// longer opens the vault; nothing changes when a line does not authenticate; a rotation cut short by a crash is
// finished or rolled back on the next open; a rotation and a running server refuse each other.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../cli/program.js';
import { tempDir } from '../testing/databases.js';
import { createDlpEngine } from './engine.js';
import { openSealedVault } from './sealed-vault.js';
import {
  completeLines,
  parseVaultKey,
  unseal,
  VAULT_FILE,
  VAULT_KEY_FILE,
  VAULT_LOCK_FILE,
  VAULT_NEXT_KEY_FILE,
} from './vault-crypto.js';
import { rotateVaultKey } from './vault-key-rotation.js';

const DAY = 86_400_000;
const homes: string[] = [];
const home = () => {
  const h = tempDir('gh-rotate-');
  homes.push(h);
  return h;
};
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
const SSN = '536-22-8147';

/** A vault with two tokens; returns the redacted texts. */
function mint(h: string): string[] {
  const v = openSealedVault({ home: h, retentionMs: DAY });
  const engine = createDlpEngine({ policy: { default: 'tokenize', entities: {} } }, { vault: v });
  const out = [engine.redact(`ssn ${SSN}`).text, engine.redact('mail jane.doe@example.com').text];
  v.close();
  return out;
}
function restore(h: string, text: string): string {
  const v = openSealedVault({ home: h, retentionMs: DAY });
  try {
    return createDlpEngine({}, { vault: v }).restore(text);
  } finally {
    v.close();
  }
}

describe('vault key rotation', () => {
  it('re-seals every entry under a new key; tokens still restore; the old key opens nothing', () => {
    const h = home();
    const [a, b] = mint(h);
    const oldKey = parseVaultKey(join(h, VAULT_KEY_FILE));
    assert.deepEqual(rotateVaultKey(h), { entries: 2 });
    const newKey = parseVaultKey(join(h, VAULT_KEY_FILE));
    assert.notDeepEqual(newKey, oldKey);
    assert.equal(existsSync(join(h, VAULT_NEXT_KEY_FILE)), false);
    const lines = completeLines(readFileSync(join(h, VAULT_FILE), 'utf8'));
    assert.equal(lines.length, 2);
    for (const l of lines) assert.throws(() => unseal(oldKey, l), 'the old key no longer opens a line');
    assert.equal(restore(h, a), `ssn ${SSN}`);
    assert.equal(restore(h, b), 'mail jane.doe@example.com');
  });

  it('changes nothing when a line does not authenticate', () => {
    const h = home();
    mint(h);
    const before = { vault: readFileSync(join(h, VAULT_FILE)), key: readFileSync(join(h, VAULT_KEY_FILE)) };
    const lines = completeLines(before.vault.toString('utf8'));
    const bad = Buffer.from(lines[1], 'base64');
    bad[20] ^= 1; // one flipped bit in the sealed body
    writeFileSync(join(h, VAULT_FILE), `${lines[0]}\n${bad.toString('base64')}\n`);
    const edited = readFileSync(join(h, VAULT_FILE));
    assert.throws(() => rotateVaultKey(h), /line 2 does not authenticate with .*; nothing was changed/);
    assert.deepEqual(readFileSync(join(h, VAULT_FILE)), edited);
    assert.deepEqual(readFileSync(join(h, VAULT_KEY_FILE)), before.key);
    assert.equal(existsSync(join(h, VAULT_NEXT_KEY_FILE)), false);
  });

  it('finishes a rotation that died after the vault was re-sealed, and rolls back one that died before', () => {
    // Died after the re-sealed vault replaced the old one, before the key file did: old key + next key on disk.
    const h = home();
    const [a] = mint(h);
    copyFileSync(join(h, VAULT_KEY_FILE), join(h, 'old.key'));
    rotateVaultKey(h);
    copyFileSync(join(h, VAULT_KEY_FILE), join(h, VAULT_NEXT_KEY_FILE));
    copyFileSync(join(h, 'old.key'), join(h, VAULT_KEY_FILE));
    assert.equal(restore(h, a), `ssn ${SSN}`, 'opening finishes the rotation');
    assert.equal(existsSync(join(h, VAULT_NEXT_KEY_FILE)), false);
    assert.notDeepEqual(readFileSync(join(h, VAULT_KEY_FILE)), readFileSync(join(h, 'old.key')));

    // Died before the vault was replaced: the next key is dropped, the old one still opens the vault.
    const h2 = home();
    const [a2] = mint(h2);
    const key = readFileSync(join(h2, VAULT_KEY_FILE));
    writeFileSync(join(h2, VAULT_NEXT_KEY_FILE), Buffer.alloc(32, 7).toString('base64') + '\n');
    assert.equal(restore(h2, a2), `ssn ${SSN}`, 'opening rolls the rotation back');
    assert.equal(existsSync(join(h2, VAULT_NEXT_KEY_FILE)), false);
    assert.deepEqual(readFileSync(join(h2, VAULT_KEY_FILE)), key);
  });

  it('refuses while a live server holds the vault, and a server refuses to open during a rotation', async () => {
    const h = home();
    const [a] = mint(h);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(h, VAULT_LOCK_FILE), JSON.stringify({ pid: other.pid, what: 'serve' }));
      assert.throws(
        () => rotateVaultKey(h),
        new RegExp(`open in Gatehouse process ${other.pid} on this host; stop it`),
      );
      writeFileSync(join(h, VAULT_LOCK_FILE), JSON.stringify({ pid: other.pid, what: 'rotate-key' }));
      assert.throws(() => openSealedVault({ home: h, retentionMs: DAY }), /key rotation .* is running/);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    // A lock written on another host (a second container on the volume, even with our pid) is respected.
    writeFileSync(join(h, VAULT_LOCK_FILE), JSON.stringify({ pid: process.pid, host: 'other-host', what: 'serve' }));
    assert.throws(
      () => rotateVaultKey(h),
      /on other-host; stop it, then rotate the key \(if that process is gone, delete/,
    );
    // The holder is gone: its lock is stale and taken over.
    writeFileSync(join(h, VAULT_LOCK_FILE), JSON.stringify({ pid: 999_999_999, what: 'serve' }));
    assert.deepEqual(rotateVaultKey(h), { entries: 2 });
    assert.equal(restore(h, a), `ssn ${SSN}`);
    assert.equal(existsSync(join(h, VAULT_LOCK_FILE)), false, 'closing releases the lock');
  });

  it('runs as `gatehouse dlp vault rotate-key` on GATEHOUSE_HOME', async () => {
    const h = home();
    const [a] = mint(h);
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['dlp', 'vault', 'rotate-key', '--json'],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      { GATEHOUSE_HOME: h },
    );
    assert.equal(code, 0, err.join('\n'));
    assert.equal((JSON.parse(out.join('')) as { entries: number }).entries, 2);
    assert.equal(restore(h, a), `ssn ${SSN}`);
  });
});
