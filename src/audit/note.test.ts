// Signed notes: golang.org/x/mod/sumdb/note's published example verifies, and checkpoints round-trip and resist tampering.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  openCheckpoint,
  openNote,
  parseVerifierKey,
  rawPublicKey,
  signCheckpoint,
  signNote,
  verifierKeyString,
} from './note.js';

// From golang.org/x/mod/sumdb/note's documentation and tests.
const GO_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SIGNER_SEED = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('signed notes', () => {
  it('verifies the Go reference note and reproduces its signature byte for byte', () => {
    const key = parseVerifierKey(GO_VERIFIER);
    assert.equal(openNote(GO_NOTE, key), GO_TEXT);
    const seed = Buffer.from(GO_SIGNER_SEED, 'base64').subarray(1);
    const priv = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    assert.equal(verifierKeyString('PeterNeumann', rawPublicKey(priv)), GO_VERIFIER);
    assert.equal(signNote(GO_TEXT, 'PeterNeumann', priv), GO_NOTE);
  });

  it('round-trips a checkpoint and rejects altered text, altered signature and a foreign key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const vk = verifierKeyString('gatehouse/audit', rawPublicKey(privateKey));
    const key = parseVerifierKey(vk);
    const root = Buffer.alloc(32, 7);
    const note = signCheckpoint({ origin: 'gatehouse/audit', size: 12, root }, 'gatehouse/audit', privateKey);
    assert.match(note, /^gatehouse\/audit\n12\n[A-Za-z0-9+/]{43}=\n\n\u2014 gatehouse\/audit [A-Za-z0-9+/=]{92}\n$/);
    assert.deepEqual(openCheckpoint(note, key), { origin: 'gatehouse/audit', size: 12, root });
    assert.throws(() => openCheckpoint(note.replace('\n12\n', '\n13\n'), key), /invalid/);
    const sigAt = note.lastIndexOf(' ') + 20;
    const flipped = note.slice(0, sigAt) + (note[sigAt] === 'A' ? 'B' : 'A') + note.slice(sigAt + 1);
    assert.throws(() => openCheckpoint(flipped, key), /invalid/);
    const other = generateKeyPairSync('ed25519').privateKey;
    assert.throws(
      () =>
        openCheckpoint(signCheckpoint({ origin: 'gatehouse/audit', size: 12, root }, 'gatehouse/audit', other), key),
      /no signature by the expected key/,
    );
  });

  it('rejects malformed verifier keys', () => {
    assert.throws(
      () => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
      /does not match/,
    );
    assert.throws(() => parseVerifierKey('nonsense'), /must look like/);
  });
});
