// Format-preserving fakes for obfuscated canary copies: each fake is derived from a keyed HMAC of the original, so the
// same original gets the same fake within one copy (joins and repeats hold) while the key, and so the mapping, dies
// with the copy. Checksummed formats stay valid (SSN rules, Luhn, IBAN mod-97) so DLP validators still fire on them.
import { createHmac } from 'node:crypto';
import { digitsOf, ibanValid, luhnValid, ssnValid } from '../dlp/validators.js';

export const FAKE_KINDS = ['name', 'email', 'phone', 'ssn', 'card', 'iban', 'address', 'date', 'text'] as const;
export type FakeKind = (typeof FAKE_KINDS)[number];

const FIRST = [
  'Avery',
  'Blake',
  'Carmen',
  'Dario',
  'Elin',
  'Farah',
  'Gideon',
  'Hana',
  'Ivo',
  'Jonas',
  'Kaia',
  'Luca',
  'Maren',
  'Nils',
  'Odile',
  'Priya',
  'Quinn',
  'Rafa',
  'Sanne',
  'Tomas',
  'Ulla',
  'Vera',
  'Wim',
  'Xenia',
  'Yusuf',
  'Zora',
];
const LAST = [
  'Abbott',
  'Brandt',
  'Castell',
  'Dunmore',
  'Eckhart',
  'Falk',
  'Gruber',
  'Holm',
  'Ingram',
  'Jansen',
  'Kovac',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Quist',
  'Rinaldi',
  'Sorensen',
  'Tanaka',
  'Ulrich',
  'Varga',
  'Weller',
  'Yilmaz',
  'Zeller',
];
const STREETS = ['Oak', 'Linden', 'Harbor', 'Mill', 'Cedar', 'Station', 'Orchard', 'Bridge', 'Meadow', 'Quarry'];
const SUFFIX = ['Street', 'Avenue', 'Road', 'Lane', 'Way', 'Place'];
const CITIES = ['Northvale', 'Eastbrook', 'Westmoor', 'Southport', 'Fairhaven', 'Glenford', 'Ridgeton', 'Lakeside'];

/** A deterministic stream of pseudo-random numbers for one (kind, original) under the copy's key. */
class Draw {
  private block: Buffer;
  private pos = 0;
  private counter = 0;
  constructor(
    private readonly key: Buffer,
    private readonly seed: string,
  ) {
    this.block = this.next();
  }
  private next(): Buffer {
    return createHmac('sha256', this.key).update(`${this.counter++}\u0000${this.seed}`).digest();
  }
  /** Uniform-enough integer in [0, n) (4 bytes per draw; the bias is irrelevant for fakes). */
  int(n: number): number {
    if (this.pos + 4 > this.block.length) {
      this.block = this.next();
      this.pos = 0;
    }
    const v = this.block.readUInt32BE(this.pos);
    this.pos += 4;
    return v % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  digit(): string {
    return String(this.int(10));
  }
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** Keeps the shape: digits stay digits, letters stay letters of the same case, everything else is kept. */
function shape(original: string, d: Draw): string {
  let out = '';
  for (const ch of original) {
    if (ch >= '0' && ch <= '9') out += d.digit();
    else if (ch >= 'a' && ch <= 'z') out += LOWER[d.int(26)];
    else if (ch >= 'A' && ch <= 'Z') out += LOWER[d.int(26)].toUpperCase();
    else out += ch;
  }
  return out;
}

/** Writes new digits into the original's digit positions, keeping separators. */
function refill(original: string, digits: string): string {
  let i = 0;
  return original.replace(/\d/g, () => digits[i++] ?? '0');
}

function fakeName(o: string, d: Draw): string {
  const parts = o.trim().split(/\s+/);
  const out =
    parts.length <= 1 ? [d.pick(FIRST)] : [d.pick(FIRST), ...parts.slice(1, -1).map(() => d.pick(FIRST)), d.pick(LAST)];
  const s = out.join(' ');
  return o === o.toUpperCase() && /[A-Z]/.test(o) ? s.toUpperCase() : s;
}

function fakeEmail(d: Draw): string {
  const n = String(d.int(10_000)).padStart(4, '0');
  return `${d.pick(FIRST).toLowerCase()}.${d.pick(LAST).toLowerCase()}${n}@${d.pick(['example.com', 'example.org', 'example.net'])}`;
}

function fakePhone(o: string, d: Draw): string {
  const n = digitsOf(o).length;
  let digits = '';
  // A North American number's area code and exchange never start with 0 or 1; keep that true for 10/11 digits.
  for (let i = 0; i < n; i++)
    digits +=
      (n === 10 && (i === 0 || i === 3)) || (n === 11 && (i === 1 || i === 4)) ? String(2 + d.int(8)) : d.digit();
  if (n === 11) digits = digitsOf(o)[0] + digits.slice(1); // keep the country code
  return refill(o, digits);
}

function fakeSsn(o: string, d: Draw): string {
  for (;;) {
    const area = String(1 + d.int(899)).padStart(3, '0');
    const digits = area + String(1 + d.int(99)).padStart(2, '0') + String(1 + d.int(9999)).padStart(4, '0');
    if (!ssnValid(digits)) continue;
    return digitsOf(o).length === 9
      ? refill(o, digits)
      : `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
  }
}

/** The Luhn check digit that makes `body` + digit valid. */
export function luhnCheckDigit(body: string): string {
  for (let c = 0; c < 10; c++) if (luhnValid(body + c)) return String(c);
  return '0';
}

function fakeCard(o: string, d: Draw): string {
  const orig = digitsOf(o);
  const n = orig.length >= 12 ? orig.length : 16;
  // The issuer prefix (BIN) is kept so issuer-aware validators still recognize the card; the account part is new.
  let body = (orig.length >= 12 ? orig.slice(0, 6) : '411111').slice(0, Math.min(6, n - 1));
  while (body.length < n - 1) body += d.digit();
  const digits = body + luhnCheckDigit(body);
  return orig.length >= 12 ? refill(o, digits) : digits;
}

/** ISO 13616 check digits for a country and BBAN: 98 − (BBAN + country + "00" mod 97). */
export function ibanCheckDigits(country: string, bban: string): string {
  const r = bban + country + '00';
  let rem = 0;
  for (const ch of r) {
    const c = ch.charCodeAt(0);
    rem = c >= 65 ? (rem * 100 + (c - 55)) % 97 : (rem * 10 + (c - 48)) % 97;
  }
  return String(98 - rem).padStart(2, '0');
}

function fakeIban(o: string, d: Draw): string {
  const compact = o.replace(/[\s-]+/g, '').toUpperCase();
  const country = /^[A-Z]{2}/.test(compact) ? compact.slice(0, 2) : 'DE';
  const bban = shape(compact.length > 4 ? compact.slice(4) : '370400440532013000', d).toUpperCase();
  const iban = country + ibanCheckDigits(country, bban) + bban;
  // Keep the original's grouping (spaces every four characters when it had spaces).
  return /\s/.test(o) ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban;
}

function fakeAddress(o: string, d: Draw): string {
  const extra = o.split(',').length - 1;
  const street = `${1 + d.int(9_899)} ${d.pick(STREETS)} ${d.pick(SUFFIX)}`;
  return [street, ...Array.from({ length: Math.min(extra, 2) }, () => d.pick(CITIES))].join(', ');
}

const DAY = 86_400_000;

/** The per-entity date shift: ±1..365 days, never 0, the same for every date of the entity in this copy. */
export function dateShiftDays(key: Buffer, entity: string): number {
  const d = new Draw(key, `date-shift\u0000${entity}`);
  const days = 1 + d.int(365);
  return d.int(2) === 0 ? -days : days;
}

/** Shifts a date value by whole days, keeping its format (YYYY-MM-DD, ISO timestamp or epoch ms); else undefined. */
export function shiftDate(value: unknown, days: number): unknown {
  if (typeof value === 'number') return value + days * DAY;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(value);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * DAY;
  return new Date(t).toISOString().slice(0, 10) + m[4];
}

/** A fake for one original value of a column of the given kind (dates go through shiftDate instead). */
export function fakeValue(kind: FakeKind, original: string, key: Buffer): string {
  for (let attempt = 0; ; attempt++) {
    const d = new Draw(key, `${kind}\u0000${attempt}\u0000${original}`);
    const v = generate(kind, original, d);
    if (v !== original) return v; // every tagged value changes
  }
}

function generate(kind: FakeKind, o: string, d: Draw): string {
  switch (kind) {
    case 'name':
      return fakeName(o, d);
    case 'email':
      return fakeEmail(d);
    case 'phone':
      return fakePhone(o, d);
    case 'ssn':
      return fakeSsn(o, d);
    case 'card':
      return fakeCard(o, d);
    case 'iban':
      return fakeIban(o, d);
    case 'address':
      return fakeAddress(o, d);
    case 'date':
    case 'text':
      return shape(o, d);
  }
}

const TAG_KINDS: [RegExp, FakeKind][] = [
  [/^(person|name|full_?name|first_?name|last_?name)$/, 'name'],
  [/^(email|email_address)$/, 'email'],
  [/^(phone|phone_number|telephone|mobile)$/, 'phone'],
  [/^(us_ssn|ssn|social_security)$/, 'ssn'],
  [/^(credit_card|card|card_number|pan)$/, 'card'],
  [/^(iban|iban_code)$/, 'iban'],
  [/^(address|street|street_address|location)$/, 'address'],
  [/^(date|dob|date_of_birth|birth_?date|date_time)$/, 'date'],
];

/** The fake kind of a column: its tags first (also discover:dlp:<TYPE>), then its name, then the shape of a sample. */
export function kindOf(column: string, tags: readonly string[], sample: readonly unknown[]): FakeKind {
  const words = [...tags.map((t) => t.replace(/^discover:dlp:/, '').toLowerCase()), column.toLowerCase()];
  for (const w of words) for (const [re, k] of TAG_KINDS) if (re.test(w)) return k;
  for (const w of words) for (const [re, k] of TAG_KINDS) if (re.test(w.split(/[_-]/).at(-1) ?? '')) return k;
  const s = sample.filter((v) => v !== null && v !== undefined).map(String);
  const all = (f: (v: string) => boolean) => s.length > 0 && s.every(f);
  if (all((v) => ssnValid(v) && /^\d{3}-?\d{2}-?\d{4}$/.test(v))) return 'ssn';
  if (all((v) => /^[\d -]{12,23}$/.test(v) && luhnValid(digitsOf(v)))) return 'card';
  if (all(ibanValid)) return 'iban';
  if (all((v) => /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v))) return 'email';
  if (all((v) => /^\d{4}-\d{2}-\d{2}/.test(v))) return 'date';
  return 'text';
}
