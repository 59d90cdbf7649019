// The audit entry: a typed, versioned event envelope encoded as RFC 8785 canonical JSON, plus salted hashing of sensitive values.
import { createHmac } from 'node:crypto';
import canonicalize from 'canonicalize';
import { InvalidInputError } from '../core/errors.js';
import type { AuditEventInput, LinkIds } from '../core/sinks.js';

export const AUDIT_EVENT_VERSION = 1;

/** What a leaf holds. `seq` is the leaf index, so a moved or swapped row names itself. */
export interface AuditEnvelope {
  v: typeof AUDIT_EVENT_VERSION;
  seq: number;
  type: string;
  time: string;
  actor: string;
  app?: string;
  appVersion?: number;
  ids: LinkIds;
  data: Record<string, unknown>;
}

const TYPE_RE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

/** Checks an event before it is queued; throws InvalidInputError naming the field. */
export function checkEvent(e: AuditEventInput): void {
  const bad = (path: string, message: string) =>
    new InvalidInputError(`Invalid audit event: ${path}: ${message}`, [{ path, message }]);
  if (typeof e.type !== 'string' || !TYPE_RE.test(e.type))
    throw bad('type', 'must be a dotted lower-case name such as approval.granted');
  if (typeof e.actor !== 'string' || e.actor === '')
    throw bad('actor', 'must name who caused the event (user name or system)');
  if (e.app !== undefined && (typeof e.app !== 'string' || e.app === ''))
    throw bad('app', 'must be a non-empty app name when given');
  if (e.appVersion !== undefined && !Number.isSafeInteger(e.appVersion)) throw bad('appVersion', 'must be an integer');
  if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data))
    throw bad('data', 'must be an object of event facts');
}

/** Canonical bytes of the entry at `seq` (throws InvalidInputError if the data is not plain JSON). */
export function encodeEntry(e: AuditEventInput, seq: number, timeMs: number): Buffer {
  const env: AuditEnvelope = {
    v: AUDIT_EVENT_VERSION,
    seq,
    type: e.type,
    time: new Date(timeMs).toISOString(),
    actor: e.actor,
    ...(e.app !== undefined ? { app: e.app } : {}),
    ...(e.appVersion !== undefined ? { appVersion: e.appVersion } : {}),
    ids: e.ids ?? {},
    data: e.data,
  };
  let text: string | undefined;
  try {
    text = canonicalize(env);
  } catch (err) {
    throw new InvalidInputError(
      `Invalid audit event: data: not plain JSON (${(err as Error).message}); record strings, numbers, booleans, arrays and objects only`,
    );
  }
  if (text === undefined) throw new InvalidInputError('Invalid audit event: data: not plain JSON');
  return Buffer.from(text, 'utf8');
}

/** Parses entry bytes back; throws if they are not canonical JSON of an envelope. */
export function decodeEntry(bytes: Buffer): AuditEnvelope {
  const text = bytes.toString('utf8');
  const parsed = JSON.parse(text) as AuditEnvelope;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    parsed.v !== AUDIT_EVENT_VERSION ||
    !Number.isSafeInteger(parsed.seq)
  ) {
    throw new Error('entry is not a version-1 audit envelope');
  }
  if (canonicalize(parsed) !== text) throw new Error('entry is not in RFC 8785 canonical form');
  return parsed;
}

const SEQ_KEY = Buffer.from(',"seq":');

/**
 * The top-level `seq` of canonical entry bytes without parsing them (the verifier's hot loop). In RFC 8785 output
 * the top-level "seq" is the last `,"seq":` (only time, type and v follow, and strings escape their quotes).
 */
export function entrySeq(bytes: Buffer): number | undefined {
  const at = bytes.lastIndexOf(SEQ_KEY);
  if (at < 0) return undefined;
  let n = 0;
  let i = at + 7;
  for (; i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) n = n * 10 + (bytes[i] - 0x30);
  if (i === at + 7 || bytes[i] !== 0x2c || !Number.isSafeInteger(n)) return undefined;
  return n;
}

/** Salted hash for sensitive values (prompts, PII, query rows): `hmac-sha256:<hex>`, comparable, not reversible. */
export function saltedHash(salt: Buffer, value: string | Buffer): string {
  return `hmac-sha256:${createHmac('sha256', salt).update(value).digest('hex')}`;
}
