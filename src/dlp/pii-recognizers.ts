// Built-in recognizers for structured PII: email, card, SSN, IBAN, IP, passport, driver licence, date of birth.
import { isIPv6 } from 'node:net';
import { groupRecognizer, type Emit, type Recognizer } from './recognizer.js';
import { eachStart, type NumericGroup, type ScanInput } from './scan-input.js';
import { cardScore, digitsOf, ibanLength, ibanValid, ssnValid } from './validators.js';

// Email: hand-scanned from each '@' with character tables (indexOf is far cheaper than a regex from every char).
const LOCAL = new Uint8Array(128);
const DOMAIN = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+'-") LOCAL[ch.charCodeAt(0)] = 1;
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-') DOMAIN[ch.charCodeAt(0)] = 1;
const inTable = (t: Uint8Array, c: number): boolean => c < 128 && t[c] === 1;

function runEmail({ text }: ScanInput, emit: Emit): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && inTable(LOCAL, text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++;
    let e = at + 1;
    while (e < text.length && inTable(DOMAIN, text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    if (s < at && dot > 0 && /^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1)) && !domain.includes('..')) emit(s, e, 1.0);
    at = text.indexOf('@', Math.max(e, at + 1));
  }
}

// IBAN in print (groups of four) or electronic form, upper or lower case: exact country length, then mod-97.
const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

function ibanAt(text: string, p: number): number {
  const len = ibanLength(text.slice(p, p + 2));
  if (len === undefined) return -1;
  let count = 0;
  let group = 0;
  let sep = -1; // the separator code once one is seen
  let i = p;
  while (i < text.length && count < len) {
    const c = text.charCodeAt(i);
    if (isAlnum(c)) {
      count++;
      group++;
      i++;
      continue;
    }
    // Print format: a single space (or dash) after every fourth character, the same separator throughout.
    if ((c === 32 || c === 45) && group === 4 && (sep === -1 || sep === c) && isAlnum(text.charCodeAt(i + 1))) {
      sep = c;
      group = 0;
      i++;
      continue;
    }
    return -1;
  }
  if (count !== len) return -1;
  const after = text.charCodeAt(i);
  if (isAlnum(after) || (after === 45 && isAlnum(text.charCodeAt(i + 1)))) return -1;
  return i;
}

function ibanGroup({ text }: ScanInput, g: NumericGroup, emit: Emit): void {
  const pc = g.pieces;
  for (let k = 0; k < pc.length; k += 2) {
    const p = pc[k];
    const c0 = text.charCodeAt(p) | 32;
    const c1 = text.charCodeAt(p + 1) | 32;
    if (c0 < 97 || c0 > 122 || c1 < 97 || c1 > 122) continue;
    const d0 = text.charCodeAt(p + 2);
    const d1 = text.charCodeAt(p + 3);
    if (d0 < 48 || d0 > 57 || d1 < 48 || d1 > 57) continue;
    if (p > 0 && (isAlnum(text.charCodeAt(p - 1)) || text.charCodeAt(p - 1) === 95)) continue;
    const e = ibanAt(text, p);
    if (e > 0 && ibanValid(text.slice(p, e))) emit(p, e, 1.0);
  }
}

// IPv4 from numeric groups; IPv6 from each run of hex digits and colons around a colon (validated by node:net).
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const V4 = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?/y;
const isWordCh = (c: number): boolean => isAlnum(c) || c === 95;
const isHexColon = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const VERSION_WORDS = /\b(?:version|build|release|ver\.?|firmware|fw|rev|revision|tag|v)\s*[:=#]?\s*["']?$/i;

function ipv4Group({ text }: ScanInput, g: NumericGroup, emit: Emit): void {
  if (g.pieces.length < 8) return;
  let next = 0;
  eachStart(text, g, false, false, (s) => {
    if (s < next) return;
    const before = text.charCodeAt(s - 1);
    if (s > 0 && (isWordCh(before) || before === 46)) return;
    V4.lastIndex = s;
    const m = V4.exec(text);
    if (!m) return;
    const e = s + m[0].length;
    next = e;
    const after = text.charCodeAt(e);
    if (isWordCh(after) || (after === 46 && text.charCodeAt(e + 1) >= 48 && text.charCodeAt(e + 1) <= 57)) return;
    if (
      !m[0]
        .split('/')[0]
        .split('.')
        .every((o) => OCTET.test(o))
    )
      return;
    // Negative context: `build 10.4.2.1`, `v1.2.3.4` are versions, not addresses.
    if (VERSION_WORDS.test(text.slice(Math.max(0, s - 24), s))) return;
    emit(s, e, 0.6);
  });
}

function runIpv6({ text }: ScanInput, emit: Emit): void {
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let s = colon;
    while (s > 0 && isHexColon(text.charCodeAt(s - 1))) s--;
    let e = colon + 1;
    while (e < text.length && (isHexColon(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++;
    // Fewer than two colons cannot be IPv6 (`Name:`, `10:22`): skip node:net.
    let v = text.slice(s, e).replace(/\.+$/, '');
    if (v.indexOf(':') !== v.lastIndexOf(':')) {
      if (v.includes('.') && !/:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v)) v = v.slice(0, v.indexOf('.'));
      const okBefore = s === 0 || !isWordCh(text.charCodeAt(s - 1));
      const okAfter = s + v.length >= text.length || !isWordCh(text.charCodeAt(s + v.length));
      if (okBefore && okAfter && v.length > 2 && isIPv6(v)) emit(s, s + v.length, 0.6);
    }
    colon = text.indexOf(':', Math.max(e, colon + 1));
  }
}

// Dates: numeric forms start at a group; `May 26, 1970` starts at the month word just before one.
const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const DOB_SOURCE = [
  '(?<![\\w/.-])(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\\d|3[01])[/.-](?:19|20)\\d{2}(?![\\w/-]|\\.\\d)',
  '(?<![\\w/.-])(?:0?[1-9]|[12]\\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19|20)\\d{2}(?![\\w/-]|\\.\\d)',
  '(?<![\\w/.-])(?:19|20)\\d{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\\d|3[01])(?![\\w/:-]|\\.\\d)',
  `\\b${MONTH}\\.? (?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?,? (?:19|20)\\d{2}\\b`,
  `\\b(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)? (?:of )?${MONTH},? (?:19|20)\\d{2}\\b`,
].join('|');
const DOB = new RegExp(DOB_SOURCE, 'y');
const MONTH_BEFORE = new RegExp(`\\b${MONTH}\\.? $`);

function dobGroup({ text }: ScanInput, g: NumericGroup, emit: Emit): void {
  let next = 0;
  const at = (p: number) => {
    if (p < next) return;
    DOB.lastIndex = p;
    if (!DOB.test(text)) return;
    next = DOB.lastIndex;
    emit(p, DOB.lastIndex, 0.2);
  };
  const m = MONTH_BEFORE.exec(text.slice(Math.max(0, g.start - 11), g.start));
  if (m) at(g.start - m[0].length);
  eachStart(text, g, false, false, at);
}

const SSN_CONTEXT = ['ssn', 'ssns', 'social security', 'social', 'ss#', 'ss no', 'taxpayer', 'tin', 'itin'];
const ssnScore = (strong: number) => (v: string) => (ssnValid(v) ? strong : 0);

export function piiRecognizers(): Recognizer[] {
  return [
    { name: 'email', entity: 'EMAIL_ADDRESS', run: runEmail },
    // 12-19 digits (spaces or dashes between), Luhn, issuer prefix and length; 12-15 digit Maestro needs context.
    groupRecognizer(
      'credit_card',
      'CREDIT_CARD',
      '(?<![\\d-])(?:\\d[ -]?){11,18}\\d(?![\\d-])',
      (v) => cardScore(digitsOf(v)),
      {
        minDigits: 12,
        midWord: true,
        context: [
          'card',
          'credit',
          'visa',
          'mastercard',
          'amex',
          'cc',
          'payment',
          'debit',
          'maestro',
          'jcb',
          'unionpay',
        ],
        contextBoost: 0.1,
        maxBaseScore: 0.9,
      },
    ),
    groupRecognizer('us_ssn', 'US_SSN', '(?<![\\d-])\\d{3}-\\d{2}-\\d{4}(?![\\d-])', ssnScore(0.6), {
      minDigits: 9,
      midWord: true,
      context: SSN_CONTEXT,
      contextBoost: 0.35,
      maxBaseScore: 0.6,
    }),
    // Spaced, dotted or bare nine digits are weak (order numbers look the same): they need context.
    groupRecognizer('us_ssn_weak', 'US_SSN', '(?<![\\d-])\\d{3}([ .]?)\\d{2}\\1\\d{4}(?![\\d-])', ssnScore(0.2), {
      minDigits: 9,
      midWord: true,
      context: SSN_CONTEXT,
      contextBoost: 0.5,
      maxBaseScore: 0.2,
    }),
    { name: 'iban', entity: 'IBAN_CODE', group: ibanGroup, minDigits: 2 },
    {
      name: 'ip_address',
      entity: 'IP_ADDRESS',
      group: ipv4Group,
      minDigits: 4,
      context: ['ip', 'ipv4', 'ipv6', 'address', 'host', 'client'],
      contextBoost: 0.2,
    },
    {
      name: 'ip_address',
      entity: 'IP_ADDRESS',
      run: runIpv6,
      context: ['ip', 'ipv4', 'ipv6', 'address', 'host', 'client'],
      contextBoost: 0.2,
    },
    groupRecognizer('us_passport', 'US_PASSPORT', '(?<![\\w-])(?:[A-Z]\\d{8}|\\d{9})(?![\\w-])', 0.1, {
      minDigits: 8,
      context: ['passport', 'passport no', 'passport number', 'travel document'],
      contextBoost: 0.6,
    }),
    groupRecognizer(
      'us_driver_license',
      'US_DRIVER_LICENSE',
      '(?<![\\w-])(?:[A-Z]{1,2}\\d{5,13}|[A-Z]\\d{3}-\\d{3}-\\d{2}-\\d{3}-\\d|[A-Z]\\d{2}-\\d{2}-\\d{4}|[A-Z]-?\\d{3}-\\d{3}-\\d{3}-\\d{3}|\\d{7,9})(?![\\w-])',
      0.1,
      {
        minDigits: 5,
        context: ['driver', 'drivers', 'driver s', 'license', 'licence', 'driving', 'dl', 'dln', 'dl no', 'dl number'],
        contextBoost: 0.6,
      },
    ),
    {
      name: 'date_of_birth',
      entity: 'DATE_OF_BIRTH',
      group: dobGroup,
      minDigits: 1,
      maxBaseScore: 0.2,
      context: ['born', 'birth', 'dob', 'birthday', 'birthdate', 'bday', 'date of birth'],
      contextBoost: 0.55,
    },
  ];
}
