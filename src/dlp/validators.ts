// Checksums and rules that confirm or drop a pattern match (Luhn, IBAN mod-97, SSN rules, entropy).

export function digitsOf(s: string): string {
  return s.replace(/\D+/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const MAESTRO_12 = new Set(['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763']);

/** Issuer prefix and length: Visa, Mastercard (51-55 and 2221-2720), Amex, Discover, JCB, Diners, UnionPay, Maestro. */
export function cardIssuerValid(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19;
  if (p2 >= 51 && p2 <= 55) return n === 16;
  if (p4 >= 2221 && p4 <= 2720) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499)) return n >= 16 && n <= 19;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || p2 === 39 || (p2 === 30 && Number(d[2]) <= 5)) return n >= 14 && n <= 19;
  if (p2 === 62) return n >= 16 && n <= 19;
  // Maestro: 13-19 digits over its whole range; 12-digit numbers only on Maestro's own IINs (a bare 12-digit run
  // starting 56-69 passes Luhn one time in ten, too often to call a card without the issuer prefix).
  if (n === 12) return MAESTRO_12.has(d.slice(0, 4));
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 13 && n <= 19;
  // JCB's older 15-digit ranges.
  if (p4 === 1800 || p4 === 2131) return n === 15;
  return false;
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  LY: 25,
  SD: 18,
  BI: 27,
  DJ: 27,
  RU: 33,
  SO: 23,
  NI: 28,
  IR: 26,
  OM: 23,
  YE: 30,
  HN: 28,
  MN: 20,
  FK: 18,
};

/** ISO 13616: country length and mod-97 == 1 over the rearranged alphanumeric string. */
export function ibanValid(raw: string): boolean {
  const s = raw.replace(/[\s-]+/g, '').toUpperCase();
  const len = IBAN_LENGTHS[s.slice(0, 2)];
  if (len === undefined || s.length !== len) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97;
    else return false;
  }
  return rem === 1;
}

const SSN_DENY = new Set(['123456789', '078051120', '219099999', '457555462', '987654321', '012345678']);

/** SSA rules: area not 000/666/9xx, group not 00, serial not 0000, no all-same digits, no well-known fakes. */
export function ssnValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9) return false;
  const area = d.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  if (/^(\d)\1{8}$/.test(d)) return false;
  return !SSN_DENY.has(d);
}

/** ABA routing number checksum (3-7-1 weights). */
export function abaValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9) return false;
  const w = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * w[i % 3];
  return sum % 10 === 0 && sum > 0;
}

/** Shannon entropy in bits per character. */
const counts = new Int32Array(65536);

export function shannonEntropy(s: string): number {
  // Counts by UTF-16 code unit in a reused table (a Map per call was a hot spot); cleared after use.
  for (let i = 0; i < s.length; i++) counts[s.charCodeAt(i)]++;
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const c = counts[s.charCodeAt(i)];
    if (c === 0) continue;
    const p = c / s.length;
    h -= p * Math.log2(p);
    counts[s.charCodeAt(i)] = 0;
  }
  return h;
}

/** A secret-looking string: long enough, high entropy, and at least two character classes. */
export function looksRandom(s: string): boolean {
  if (s.length < 16) return false;
  const classes = Number(/[a-z]/.test(s)) + Number(/[A-Z]/.test(s)) + Number(/\d/.test(s));
  return classes >= 2 && shannonEntropy(s) >= 3.3;
}

export const VALIDATOR_FNS: Record<string, (s: string) => boolean> = {
  none: () => true,
  luhn: (s) => luhnValid(digitsOf(s)),
  mod97: ibanValid,
  us_ssn: ssnValid,
  aba_routing: abaValid,
  entropy: looksRandom,
};
