// Checksums and format rules for national identifiers (UK, Canada, India, Spain, Italy, Australia, Singapore, US).
import { digitsOf, luhnValid } from './validators.js';

const compact = (s: string): string => s.replace(/[\s-]+/g, '').toUpperCase();

/** UK National Insurance number: two prefix letters (HMRC's allowed set, not BG GB NK KN NT TN ZZ), six digits, A-D. */
export function ukNinoValid(raw: string): boolean {
  const s = compact(raw);
  if (!/^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/.test(s)) return false;
  return !['BG', 'GB', 'NK', 'KN', 'NT', 'TN', 'ZZ'].includes(s.slice(0, 2));
}

/** NHS number: ten digits, mod 11 with weights 10..2 on the first nine; a check value of 10 is never issued. */
export function nhsValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 10 || /^(\d)\1{9}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === d.charCodeAt(9) - 48;
}

/** Canadian Social Insurance Number: nine digits, Luhn, first digit not 0 or 8 (not issued), not all the same. */
export function caSinValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9 || d[0] === '0' || d[0] === '8' || /^(\d)\1{8}$/.test(d)) return false;
  return luhnValid(d);
}

// Verhoeff tables (dihedral group D5 multiplication, position permutation).
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

export function verhoeffValid(d: string): boolean {
  let c = 0;
  for (let i = 0; i < d.length; i++) c = V_D[c][V_P[i % 8][d.charCodeAt(d.length - 1 - i) - 48]];
  return d.length > 0 && c === 0;
}

/** Aadhaar: twelve digits, first digit 2-9, Verhoeff check digit, not a palindrome (UIDAI does not issue those). */
export function aadhaarValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 12 || d[0] < '2') return false;
  if (d === [...d].reverse().join('')) return false;
  return verhoeffValid(d);
}

/** Indian PAN: five letters (the fourth names the holder type), four digits, a letter. No public checksum. */
export function inPanValid(raw: string): boolean {
  return /^[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]$/.test(raw.toUpperCase());
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish NIF (DNI): 7-8 digits and the mod-23 control letter, optionally `-` before the letter. */
export function esNifValid(raw: string): boolean {
  const s = compact(raw);
  const m = /^(\d{7,8})([A-Z])$/.exec(s);
  return m !== null && DNI_LETTERS[Number(m[1]) % 23] === m[2];
}

/** Spanish NIE: X, Y or Z (standing for 0, 1, 2), seven digits, the mod-23 control letter. */
export function esNieValid(raw: string): boolean {
  const s = compact(raw);
  const m = /^([XYZ])(\d{7})([A-Z])$/.exec(s);
  return m !== null && DNI_LETTERS[Number(`${'XYZ'.indexOf(m[1])}${m[2]}`) % 23] === m[3];
}

// Italian codice fiscale: odd-position values (1-based odd positions), even positions take the plain 0-25 value.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
const CF_DIGIT = 'LMNPQRSTUV'; // omocodia: letters that stand for digits 0-9 when codes collide
const CF_SHAPE = /^[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]$/;

/** Italian fiscal code: surname/name letters, birth year, month letter, day (+40 for women), place, check letter. */
export function itFiscalCodeValid(raw: string): boolean {
  const s = raw.toUpperCase();
  if (!CF_SHAPE.test(s)) return false;
  const day = Number(
    s
      .slice(9, 11)
      .split('')
      .map((c) => (c >= 'A' ? String(CF_DIGIT.indexOf(c)) : c))
      .join(''),
  );
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = s.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? CF_ODD[v] : v;
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15];
}

/** Australian Tax File Number: nine digits, weights 1 4 3 7 5 8 6 9 10, sum divisible by 11. */
export function auTfnValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9 || /^(\d)\1{8}$/.test(d)) return false;
  const w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * w[i];
  return sum % 11 === 0;
}

/** Australian Medicare card number: ten digits (an eleventh, the person's position on the card, is allowed),
 *  first digit 2-6, the ninth digit is the weighted (1 3 7 9 1 3 7 9) sum of the first eight mod 10. */
export function auMedicareValid(raw: string): boolean {
  const d = digitsOf(raw);
  if ((d.length !== 10 && d.length !== 11) || d[0] < '2' || d[0] > '6') return false;
  const w = [1, 3, 7, 9, 1, 3, 7, 9];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (d.charCodeAt(i) - 48) * w[i];
  return sum % 10 === d.charCodeAt(8) - 48;
}

/** Singapore NRIC/FIN: S, T, F or G, seven digits, a check letter (weights 2 7 6 5 4 3 2; T and G add 4). The M
 *  series (2022) uses a check scheme we do not have a published source for: format only. */
export function sgNricValid(raw: string): boolean {
  const s = raw.toUpperCase();
  const m = /^([STFGM])(\d{7})([A-Z])$/.exec(s);
  if (!m) return false;
  if (m[1] === 'M') return true;
  const w = [2, 7, 6, 5, 4, 3, 2];
  let sum = m[1] === 'T' || m[1] === 'G' ? 4 : 0;
  for (let i = 0; i < 7; i++) sum += (m[2].charCodeAt(i) - 48) * w[i];
  const table = m[1] === 'S' || m[1] === 'T' ? 'JZIHGFEDCBA' : 'XWUTRQPNMLK';
  return table[sum % 11] === m[3];
}

/** US ABA routing number: nine digits, Federal Reserve prefix (00-12, 21-32, 61-72, 80), 3-7-1 checksum. */
export function abaRoutingValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9) return false;
  const p = Number(d.slice(0, 2));
  if (!(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p === 80)) return false;
  if (/^0+$/.test(d)) return false;
  const w = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (d.charCodeAt(i) - 48) * w[i % 3];
  return sum % 10 === 0;
}

/** US ITIN: nine digits starting with 9, middle two digits 50-65, 70-88, 90-92 or 94-99 (IRS ranges). */
export function usItinValid(raw: string): boolean {
  const d = digitsOf(raw);
  if (d.length !== 9 || d[0] !== '9') return false;
  const g = Number(d.slice(3, 5));
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || g >= 94;
}
