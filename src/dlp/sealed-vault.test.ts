// The sealed tokenization vault: survives a restart, keeps no plaintext on disk, forgets entries past retention,
// and fails closed against the attacks a disk-level adversary has (edit a line, splice in a line sealed with
// another key, delete the key) while tolerating the one thing a crash does (a torn last line).
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../testing/databases.js';
import { createDlpEngine } from './engine.js';
import { openSealedVault, VAULT_FILE, VAULT_KEY_FILE } from './sealed-vault.js';

const DAY = 86_400_000;
const homes: string[] = [];
const home = () => {
  const h = tempDir('gh-vault-');
  homes.push(h);
  return h;
};
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
const SSN = '536-22-8147';

describe('sealed tokenization vault', () => {
  it('restores a token minted before a restart, and keeps no plaintext on disk (files 0600)', () => {
    const h = home();
    const v1 = openSealedVault({ home: h, retentionMs: DAY });
    const engine = createDlpEngine({ policy: { default: 'tokenize', entities: {} } }, { vault: v1 });
    const red = engine.redact(`my ssn is ${SSN}`);
    assert.doesNotMatch(red.text, /536-22-8147/);
    v1.close();
    const raw = readFileSync(join(h, VAULT_FILE));
    assert.equal(raw.includes(Buffer.from(SSN)), false, 'the value is not on disk in the clear');
    assert.equal(raw.includes(Buffer.from('536228147')), false);
    assert.equal(statSync(join(h, VAULT_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(join(h, VAULT_KEY_FILE)).mode & 0o777, 0o600);

    const v2 = openSealedVault({ home: h, retentionMs: DAY });
    const after = createDlpEngine({}, { vault: v2 });
    assert.equal(after.restore(red.text), `my ssn is ${SSN}`);
    // The same value keeps its token after the restart.
    assert.equal(
      createDlpEngine({ policy: { default: 'tokenize', entities: {} } }, { vault: v2 }).redact(`my ssn is ${SSN}`).text,
      red.text,
    );
    v2.close();
  });

  it('refuses to open when a sealed line was edited', () => {
    const h = home();
    const v = openSealedVault({ home: h, retentionMs: DAY });
    v.tokenize('s', 'US_SSN', SSN);
    v.tokenize('s', 'US_SSN', '078-05-1120');
    v.close();
    const lines = readFileSync(join(h, VAULT_FILE), 'utf8').split('\n');
    const b = Buffer.from(lines[1], 'base64');
    b[20] ^= 0x01; // one bit of ciphertext
    lines[1] = b.toString('base64');
    writeFileSync(join(h, VAULT_FILE), lines.join('\n'));
    assert.throws(
      () => openSealedVault({ home: h, retentionMs: DAY }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'unavailable');
        assert.match(err.message, /line 2 does not authenticate/);
        return true;
      },
    );
  });

  it('refuses a line sealed with another vault key spliced in', () => {
    const mine = home();
    const theirs = home();
    openSealedVault({ home: mine, retentionMs: DAY }).close();
    const t = openSealedVault({ home: theirs, retentionMs: DAY });
    t.tokenize('victim-scope', 'US_SSN', SSN);
    t.close();
    appendFileSync(join(mine, VAULT_FILE), readFileSync(join(theirs, VAULT_FILE)));
    assert.throws(() => openSealedVault({ home: mine, retentionMs: DAY }), /does not authenticate/);
  });

  it('fails closed when the key is missing, and does not mint a new one over the old vault', () => {
    const h = home();
    const v = openSealedVault({ home: h, retentionMs: DAY });
    v.tokenize('s', 'US_SSN', SSN);
    v.close();
    unlinkSync(join(h, VAULT_KEY_FILE));
    assert.throws(() => openSealedVault({ home: h, retentionMs: DAY }), /its key .* is missing/);
    assert.equal(existsSync(join(h, VAULT_KEY_FILE)), false, 'no fresh key was written');
    writeFileSync(join(h, VAULT_KEY_FILE), 'c2hvcnQ=\n');
    assert.throws(() => openSealedVault({ home: h, retentionMs: DAY }), /not 32 bytes/);
  });

  it('tolerates a torn last line (a crash mid-write) and keeps the entries before it', () => {
    const h = home();
    const v = openSealedVault({ home: h, retentionMs: DAY });
    const token = v.tokenize('s', 'US_SSN', SSN);
    v.close();
    appendFileSync(join(h, VAULT_FILE), 'AAAAbroken-half-line');
    const again = openSealedVault({ home: h, retentionMs: DAY });
    assert.equal(again.lookup('s', token), SSN);
    again.close();
    assert.equal(readFileSync(join(h, VAULT_FILE), 'utf8').includes('broken'), false, 'cut off when opened');
  });

  it('forgets entries past retention, in memory and on disk', () => {
    const h = home();
    let now = 1_000_000;
    const v = openSealedVault({ home: h, retentionMs: DAY, now: () => now });
    const old = v.tokenize('s', 'US_SSN', SSN);
    now += DAY / 2;
    const recent = v.tokenize('s', 'US_SSN', '078-05-1120');
    now += DAY / 2 + 1;
    assert.equal(v.lookup('s', old), undefined, 'expired');
    assert.equal(v.lookup('s', recent), '078-05-1120');
    assert.notEqual(v.tokenize('s', 'US_SSN', SSN), old, 'an expired value gets a fresh token');
    v.close();
    const reopened = openSealedVault({ home: h, retentionMs: DAY, now: () => now });
    reopened.close();
    const lines = readFileSync(join(h, VAULT_FILE), 'utf8').trim().split('\n');
    assert.equal(lines.length, 2, 'the expired entry left the disk; the recent and the fresh one stay');
  });

  it('scopes tokens: a token minted in one scope does not restore in another', () => {
    const h = home();
    const v = openSealedVault({ home: h, retentionMs: DAY });
    const token = v.tokenize('app-a', 'US_SSN', SSN);
    v.close();
    const again = openSealedVault({ home: h, retentionMs: DAY });
    assert.equal(again.lookup('app-b', token), undefined);
    assert.equal(again.lookup('app-a', token), SSN);
    again.close();
  });
});
