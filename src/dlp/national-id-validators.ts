// Check-digit rules for national identifiers (UK, CA, IN, ES, IT, AU, SG, US), as Presidio's recognizers apply them.
import { digitsOf, luhnValid } from './validators.js';

const NINO_FIRST = /^[A-CEGHJ-PR-TW-Z]$/;
const NINO_SECOND = /^[A-CEGHJ-NPR-TW-Z]$/;
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'NK', 'KN', 'NT', 'TN', 'ZZ']);

/** UK National Insurance number: two prefix letters (HMRC's allowed set), six digits, suffix A-D. */
export function ninoValid(raw: string): boolean {
  const s = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{6}[A-D]$/.test(s)) return false;
  return NINO_FIRST.test(s[0]) && NINO_SECOND.test(s[1]) && !NINO_BAD_PREFIX.has(s.slice(0, 2));
}

/** NHS number: ten digits, weights 10..2 over the first nine plus the check digit, sum divisible by 11. */
export function nhsValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (d.charCodeAt(i) - 48) * (10 - i);
  return sum % 11 === 0;
}

/** Canadian SIN: nine digits, first not 0 or 8, not all the same digit, Luhn. */
export function caSinValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9 || d[0] === '0' || d[0] === '8' || /^(\d)\1{8}$/.test(d)) return false;
  return luhnValid(d);
}

// Verhoeff dihedral-group tables (Aadhaar's check digit).
const V_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const V_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const n = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (n < 0 || n > 9) return false;
    c = V_D[c][V_P[i % 8][n]];
  }
  return digits.length > 0 && c === 0;
}

/** Aadhaar: twelve digits, first 2-9, not a palindrome (Presidio's rule), Verhoeff check digit. */
export function aadhaarValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 12 || d[0] < '2') return false;
  if (d === [...d].reverse().join('')) return false;
  return verhoeffValid(d);
}

/** Indian PAN: five letters (4th = holder type), four digits, a letter. No public check digit. */
export const PAN_RE = /^[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]$/;
export const panValid = (raw: string): boolean => PAN_RE.test(raw.toUpperCase());

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI/NIF: seven or eight digits and the letter of (number mod 23). */
export function esNifValid(raw: string): boolean {
  const s = raw.replace(/-/g, '').toUpperCase();
  const m = /^(\d{7,8})([A-Z])$/.exec(s);
  return m !== null && NIF_LETTERS[Number(m[1]) % 23] === m[2];
}

/** Spanish NIE: X/Y/Z (read as 0/1/2), seven digits, the mod-23 letter. */
export function esNieValid(raw: string): boolean {
  const s = raw.replace(/-/g, '').toUpperCase();
  const m = /^([XYZ])(\d{7})([A-Z])$/.exec(s);
  return m !== null && NIF_LETTERS[Number('XYZ'.indexOf(m[1]) + m[2]) % 23] === m[3];
}

const IT_ODD: Record<string, number> = {};
'1 0 5 7 9 13 15 17 19 21 2 4 18 20 11 3 6 8 12 14 16 10 22 25 24 23'.split(' ').forEach((v, i) => {
  IT_ODD[String.fromCharCode(65 + i)] = Number(v);
  if (i < 10) IT_ODD[String(i)] = Number(v);
});
/** Italian codice fiscale layout (omocodia letters allowed in digit places). */
export const IT_FISCAL_SHAPE = /^[A-Z]{6}[\dLMNP-V]{2}[A-EHLMPR-T][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]$/;

/** Italian fiscal code check character: odd positions through the odd table, even positions at face value, mod 26. */
export function itFiscalCheckValid(raw: string): boolean {
  const s = raw.toUpperCase();
  if (!IT_FISCAL_SHAPE.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = s[i];
    if (i % 2 === 0) sum += IT_ODD[ch];
    else sum += ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15];
}

/** Australian TFN: nine digits, weights 1 4 3 7 5 8 6 9 10, sum divisible by 11. */
export function auTfnValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9) return false;
  const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * w[i];
  return sum % 11 === 0;
}

/** Australian Medicare: ten digits starting 2-6, weights 1 3 7 9 1 3 7 9 over the first eight, mod 10 = 9th digit. */
export function auMedicareValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 10 || d[0] < '2' || d[0] > '6') return false;
  const w = [1, 3, 7, 9, 1, 3, 7, 9];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (d.charCodeAt(i) - 48) * w[i];
  return sum % 10 === d.charCodeAt(8) - 48;
}

/** US ITIN: 9xx, group 50-65, 70-88, 90-92 or 94-99, four digits. */
export function itinValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9 || d[0] !== '9') return false;
  const g = Number(d.slice(3, 5));
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}
