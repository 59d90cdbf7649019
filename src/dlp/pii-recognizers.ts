// Built-in recognizers for structured PII: email, phone, card, SSN, IBAN, IP, passport, driver licence, date of birth.
import { isIPv6 } from 'node:net';
import { DEFAULT_PHONE_REGIONS } from './dlp-config.js';
import { phoneRecognizer } from './phone-recognizer.js';
import { hasDigit, minDigits, regexRecognizer, type Emit, type Recognizer } from './recognizer.js';
import { cardIssuerValid, digitsOf, ibanValid, luhnValid, ssnValid } from './validators.js';

const LOCAL = /[A-Za-z0-9._%+'-]/;
const DOMAIN = /[A-Za-z0-9.-]/;

// Hand-scanned from each '@' (indexOf is far cheaper than a regex that may start at every character).
function runEmail(text: string, emit: Emit): void {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && LOCAL.test(text[s - 1])) s--;
    while (s < at && text[s] === '.') s++;
    let e = at + 1;
    while (e < text.length && DOMAIN.test(text[e])) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    if (s < at && dot > 0 && /^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1)) && !domain.includes('..')) emit(s, e, 1.0);
    at = text.indexOf('@', Math.max(e, at + 1));
  }
}

// Lower case too (`de89 3704 ...`): the mod-97 check keeps words out.
const IBAN_CAND = /\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?\b/g;

function runIban(text: string, emit: Emit): void {
  IBAN_CAND.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IBAN_CAND.exec(text)) !== null) {
    // A following uppercase word may have been swallowed as a group: try shorter ends until the checksum fits.
    let cand = m[0];
    while (cand.length >= 15) {
      // One case throughout (`LV80 bANK ...` is not an IBAN as written; Presidio rejects it too).
      if (ibanValid(cand) && (cand === cand.toUpperCase() || cand === cand.toLowerCase())) {
        emit(m.index, m.index + cand.length, 1.0);
        break;
      }
      const cut = cand.search(/[ -]?[A-Za-z0-9]{1,4}$/);
      if (cut <= 4) break;
      cand = cand.slice(0, cut);
    }
  }
}

// Cheap candidate, then octets and boundaries in code: the all-in-one regex with lookbehind was 3x slower.
const V4_CAND = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?/g;
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const WORDCH = /[A-Za-z0-9_]/;
const HEXCOLON = /[0-9A-Fa-f:]/;
const VERSION_WORDS = /\b(?:version|build|release|ver\.?|firmware|fw|rev|revision|tag|v)\s*[:=#]?\s*["']?$/i;

function runIp(text: string, emit: Emit): void {
  if (hasDigit(text)) {
    V4_CAND.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = V4_CAND.exec(text)) !== null) {
      const s = m.index;
      const e = s + m[0].length;
      const before = text[s - 1];
      if (before !== undefined && (WORDCH.test(before) || before === '.')) continue;
      if (e < text.length && (WORDCH.test(text[e]) || (text[e] === '.' && /\d/.test(text[e + 1] ?? '')))) continue;
      if (
        !m[0]
          .split('/')[0]
          .split('.')
          .every((o) => OCTET.test(o))
      )
        continue;
      // Negative context: `build 10.4.2.1`, `v1.2.3.4` are versions, not addresses.
      if (VERSION_WORDS.test(text.slice(Math.max(0, s - 24), s))) continue;
      emit(s, e, 0.6);
    }
  }
  // IPv6: expand each run of hex digits and colons around a colon once, then let node:net validate it.
  let colon = text.indexOf(':');
  while (colon !== -1) {
    let s = colon;
    while (s > 0 && HEXCOLON.test(text[s - 1])) s--;
    let e = colon + 1;
    while (e < text.length && (HEXCOLON.test(text[e]) || text[e] === '.')) e++;
    let v = text.slice(s, e).replace(/\.+$/, '');
    if (v.includes('.') && !/:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v)) v = v.slice(0, v.indexOf('.'));
    const after = text[s + v.length];
    const okBefore = s === 0 || !WORDCH.test(text[s - 1]);
    const okAfter = after === undefined || !WORDCH.test(after);
    if (okBefore && okAfter && v.length > 2 && isIPv6(v)) emit(s, s + v.length, 0.6);
    colon = text.indexOf(':', Math.max(e, colon + 1));
  }
}

export function piiRecognizers(opts: { phoneRegions?: readonly string[] } = {}): Recognizer[] {
  return [
    { name: 'email', entity: 'EMAIL_ADDRESS', run: runEmail, gate: (f) => f.at },
    phoneRecognizer(opts.phoneRegions ?? DEFAULT_PHONE_REGIONS),
    regexRecognizer('credit_card', 'CREDIT_CARD', /(?<![\d-])(?:\d[ -]?){11,18}\d(?![\d-])/g, 0.9, {
      minDigits: 12,
      validate: (m) => {
        const d = digitsOf(m);
        return d.length >= 12 && d.length <= 19 && luhnValid(d) && cardIssuerValid(d);
      },
      context: ['card', 'credit', 'visa', 'mastercard', 'amex', 'cc', 'payment', 'debit'],
      contextBoost: 0.1,
    }),
    regexRecognizer('us_ssn', 'US_SSN', /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g, 0.6, {
      minDigits: 9,
      validate: ssnValid,
      context: SSN_CONTEXT,
      contextBoost: 0.35,
    }),
    // Spaced, dotted or bare nine digits are weak (order numbers look the same): they need context.
    regexRecognizer('us_ssn_weak', 'US_SSN', /(?<![\d-])\d{3}([ .]?)\d{2}\1\d{4}(?![\d-])/g, 0.2, {
      minDigits: 9,
      validate: ssnValid,
      context: SSN_CONTEXT,
      contextBoost: 0.5,
    }),
    { name: 'iban', entity: 'IBAN_CODE', run: runIban, gate: minDigits(2) },
    {
      name: 'ip_address',
      entity: 'IP_ADDRESS',
      run: runIp,
      gate: (f) => f.digitsNear >= 4 || f.colon,
      context: ['ip', 'ipv4', 'ipv6', 'address', 'host', 'client'],
      contextBoost: 0.2,
    },
    regexRecognizer('us_passport', 'US_PASSPORT', /(?<![\w-])(?:[A-Z]\d{8}|\d{9})(?![\w-])/g, 0.1, {
      minDigits: 8,
      context: ['passport', 'passport no', 'passport number', 'travel document'],
      contextBoost: 0.6,
    }),
    regexRecognizer(
      'us_driver_license',
      'US_DRIVER_LICENSE',
      /(?<![\w-])(?:[A-Z]{1,2}\d{5,13}|[A-Z]\d{3}-\d{3}-\d{2}-\d{3}-\d|[A-Z]\d{2}-\d{2}-\d{4}|[A-Z]-?\d{3}-\d{3}-\d{3}-\d{3}|\d{7,9})(?![\w-])/g,
      0.1,
      {
        minDigits: 5,
        context: ['driver', 'drivers', 'driver s', 'license', 'licence', 'driving', 'dl', 'dln', 'dl no', 'dl number'],
        contextBoost: 0.6,
      },
    ),
    regexRecognizer('date_of_birth', 'DATE_OF_BIRTH', DOB_RE, 0.2, {
      minDigits: 5,
      context: ['born', 'birth', 'dob', 'birthday', 'birthdate', 'bday', 'date of birth'],
      contextBoost: 0.55,
    }),
  ];
}

const SSN_CONTEXT = ['ssn', 'ssns', 'social security', 'social', 'ss#', 'ss no', 'taxpayer', 'tin', 'itin'];
const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const DOB_RE = new RegExp(
  [
    '(?<![\\w/.-])(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\\d|3[01])[/.-](?:19|20)\\d{2}(?![\\w/-]|\\.\\d)',
    '(?<![\\w/.-])(?:0?[1-9]|[12]\\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19|20)\\d{2}(?![\\w/-]|\\.\\d)',
    '(?<![\\w/.-])(?:19|20)\\d{2}[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\\d|3[01])(?![\\w/:-]|\\.\\d)',
    `\\b${MONTH}\\.? (?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?,? (?:19|20)\\d{2}\\b`,
    `\\b(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)? (?:of )?${MONTH},? (?:19|20)\\d{2}\\b`,
  ].join('|'),
  'g',
);
