// C2SP signed notes and tlog checkpoints with Ed25519 (golang.org/x/mod/sumdb/note key ids and verifier keys).
// Hand-written: the format is ~60 lines and no maintained npm package implements signed notes.
import { createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { sha256 } from './merkle.js';

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

/** First 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey), as a big-endian number. */
export function keyId(name: string, publicKey: Buffer): number {
  return sha256(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([ALG_ED25519]), publicKey])).readUInt32BE(0);
}

export function checkName(name: string): void {
  if (name === '' || /[\s+]/.test(name) || [...name].some((ch) => ch.charCodeAt(0) < 0x20)) {
    throw new Error(`key name "${name}" must be non-empty without spaces or '+'`);
  }
}

/** `<name>+<hex key id>+<base64(0x01 || public key)>`. */
export function verifierKeyString(name: string, publicKey: Buffer): string {
  checkName(name);
  const id = keyId(name, publicKey).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString('base64')}`;
}

export interface VerifierKey {
  name: string;
  id: number;
  publicKey: Buffer;
}

/** Parses a verifier key string and checks its key id matches its key. */
export function parseVerifierKey(text: string): VerifierKey {
  const m = /^([^+]+)\+([^+]+)\+(.+)$/s.exec(text.trim());
  if (!m) throw new Error('verifier key must look like <name>+<hex key id>+<base64 key>');
  const [, name, hexId, b64] = m;
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new Error('verifier key id must be 8 lowercase hex digits');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 33 || raw[0] !== ALG_ED25519 || raw.toString('base64') !== b64)
    throw new Error('verifier key must be base64 of 0x01 || 32-byte Ed25519 public key');
  const publicKey = raw.subarray(1);
  const id = parseInt(hexId, 16);
  if (keyId(name, publicKey) !== id) throw new Error('verifier key id does not match its name and public key');
  return { name, id, publicKey };
}

export function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public key of an Ed25519 private key. */
export function rawPublicKey(privateKey: KeyObject): Buffer {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function checkpointBody(c: Checkpoint): string {
  if (c.origin === '' || c.origin.includes('\n')) throw new Error('checkpoint origin must be one non-empty line');
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

/** Signs a checkpoint into a signed note. */
export function signCheckpoint(c: Checkpoint, name: string, privateKey: string | KeyObject): string {
  return signNote(checkpointBody(c), name, privateKey);
}

/** Signs note text: body, blank line, `— <name> <base64(key id || signature)>`. */
export function signNote(body: string, name: string, privateKey: string | KeyObject): string {
  checkName(name);
  if (!body.endsWith('\n') || body.includes('\n\n'))
    throw new Error('note text must end with a newline and contain no blank line');
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const sig = edSign(null, Buffer.from(body), key);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId(name, rawPublicKey(key)));
  return `${body}\n${SIG_PREFIX}${name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/** Verifies a signed checkpoint note with `key`; returns the parsed checkpoint or throws saying what is wrong. */
export function openCheckpoint(note: string, key: VerifierKey): Checkpoint {
  return parseCheckpointBody(openNote(note, key));
}

/** Verifies a signed note with `key` and returns its text, or throws saying what is wrong. */
export function openNote(note: string, key: VerifierKey): string {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new Error('not a signed note: no blank line between text and signatures');
  const body = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');
  let ok = false;
  for (const line of sigLines) {
    if (!line.startsWith(SIG_PREFIX)) throw new Error(`malformed signature line: ${JSON.stringify(line.slice(0, 40))}`);
    const [name, b64, extra] = line.slice(SIG_PREFIX.length).split(' ');
    if (extra !== undefined || !b64) throw new Error('malformed signature line');
    const raw = Buffer.from(b64, 'base64');
    if (name !== key.name || raw.length < 4 || raw.readUInt32BE(0) !== key.id) continue;
    if (raw.length !== 68) throw new Error('signature has the wrong length');
    if (!edVerify(null, Buffer.from(body), publicKeyObject(key.publicKey), raw.subarray(4)))
      throw new Error(`signature by ${name} is invalid (note text or signature altered)`);
    ok = true;
  }
  if (!ok)
    throw new Error(
      `note carries no signature by the expected key ${key.name}+${key.id.toString(16).padStart(8, '0')}`,
    );
  return body;
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split('\n');
  if (lines.length < 4) throw new Error('checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw new Error(`checkpoint size "${sizeText}" is not a decimal number`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText)
    throw new Error('checkpoint root must be base64 of 32 bytes');
  if (origin === '') throw new Error('checkpoint origin is empty');
  return { origin, size: Number(sizeText), root };
}
