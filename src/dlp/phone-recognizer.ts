// PHONE_NUMBER: NANP by structure, international (+) numbers and national formats of configured regions via libphonenumber.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { minDigits, type Emit, type Recognizer } from './recognizer.js';
import { digitsOf } from './validators.js';

const DATE_SHAPE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}/;

/**
 * National numbers (digits only, trunk prefix kept) a region can have: a cheap test before libphonenumber's
 * ~20 us parse, so a digit run is parsed only for the regions whose numbering plan it could belong to.
 * Regions not listed are always parsed.
 */
const NATIONAL_SHAPE: Partial<Record<string, RegExp>> = {
  GB: /^0[1-9]\d{8,9}$/,
  DE: /^0[1-9]\d{5,12}$/,
  FR: /^0[1-9]\d{8}$/,
  ES: /^[6-9]\d{8}$/,
  IT: /^(?:0\d{5,10}|3\d{8,9})$/,
  NL: /^0[1-9]\d{8}$/,
  BR: /^0?[1-9]{2}9?[2-9]\d{7}$/,
  IN: /^(?:0?[6-9]\d{9}|0[1-9]\d{8,9})$/,
  AU: /^0[2-478]\d{8}$/,
};
const NANP = new Set(['US', 'CA']);
// An SSN-shaped group (3-2-4) is read as an SSN candidate, never as a national phone number.
const SSN_SHAPE = /^\d{3}([ .-]?)\d{2}\1\d{4}$/;
const SHORT_LAST_GROUP = /\D\d{1,3}$/;
// A US ZIP+4 (`07396-9605`) is a postal code, never a national phone number.
const ZIP4_SHAPE = /^\d{5}-\d{4}$/;

/** Base score of a phone candidate (0 = not a phone): formatted 0.6 (national formats 0.5), bare digits 0.4. */
export function phoneScore(cand: string, regions: readonly string[]): number {
  if (DATE_SHAPE.test(cand) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(cand)) return 0;
  const digits = digitsOf(cand);
  if (digits.length < 7 || digits.length > 15) return 0;
  const formatted = /[+()\s.-]/.test(cand);
  const intl = cand.startsWith('+');
  // NANP fast path without libphonenumber (its parse costs ~50 us): 10 digits, or 11 starting with 1.
  if ((!intl && digits.length === 10) || (digits.length === 11 && digits[0] === '1')) {
    // NANP numbers are written 3-3-4 (or 3-7): a last group shorter than 4 digits (`2123 45670 1`, an Australian
    // Medicare number) is another layout.
    if (
      /^[2-9]\d{2}[2-9]\d{6}$/.test(digits.slice(-10)) &&
      !/^\d{3}[-. ]\d{3}[-. ]\d{3}$/.test(cand) &&
      !SHORT_LAST_GROUP.test(cand)
    )
      return formatted ? 0.6 : 0.4;
    if (intl) return 0;
    return nationalScore(cand, digits, formatted, regions);
  }
  if (!intl) {
    if (digits.startsWith('011')) return usInternational(cand, formatted);
    return nationalScore(cand, digits, formatted, regions);
  }
  const pn = parsePhoneNumberFromString(cand);
  if (!pn) return 0;
  if (pn.countryCallingCode === '1') {
    // NANP structure (area and exchange codes start 2-9) rather than the assigned-area list, so new codes pass.
    if (!/^[2-9]\d{2}[2-9]\d{6}$/.test(pn.nationalNumber)) return 0;
    if (!/^\+1/.test(cand.replace(/\s/g, ''))) return 0;
  } else if (!pn.isValid()) return 0;
  return formatted ? 0.6 : 0.4;
}

/** 011-prefixed numbers dialled from the US (the engine's behaviour before regions were configurable). */
function usInternational(cand: string, formatted: boolean): number {
  const pn = parsePhoneNumberFromString(cand, 'US');
  if (!pn) return 0;
  if (pn.countryCallingCode === '1')
    return /^[2-9]\d{2}[2-9]\d{6}$/.test(pn.nationalNumber) ? (formatted ? 0.6 : 0.4) : 0;
  return pn.isValid() ? (formatted ? 0.6 : 0.4) : 0;
}

/**
 * A national-format number of one of the configured regions. Presidio scores every libphonenumber match 0.4 and
 * lets context raise it. Here a grouped number with its trunk 0 (`07911 123 456`) gets 0.5; bare digits and
 * grouped numbers without a trunk 0 (`706 554 450`) get 0.3, so they need a context word
 * and still lose to an SSN or passport number whose own context names it (0.7).
 */
function nationalScore(cand: string, digits: string, formatted: boolean, regions: readonly string[]): number {
  // Bare digits without a trunk 0 (`771874544`) are as likely a reference or tracking number: never a phone here,
  // so skip the parses.
  if (SSN_SHAPE.test(cand) || ZIP4_SHAPE.test(cand) || (!formatted && digits[0] !== '0')) return 0;
  for (const region of regions) {
    if (NANP.has(region)) continue;
    const shape = NATIONAL_SHAPE[region];
    if (shape && !shape.test(digits)) continue;
    const pn = parsePhoneNumberFromString(cand, region as CountryCode);
    if (!pn || pn.country !== region || !pn.isValid()) continue;
    if (digits[0] === '0') return formatted ? 0.5 : 0.3;
    return 0.3;
  }
  return 0;
}

const PHONE_CAND =
  /(?<![\w.+/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d[\d .-]{5,16}\d(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w/-]|\.\d)/g;

export const PHONE_CONTEXT = [
  'phone',
  'call',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'fax',
  'contact',
  'reach',
  'text me',
  'whatsapp',
  'number',
] as const;

export function phoneRecognizer(regions: readonly string[]): Recognizer {
  const known = regions.filter((r) => NANP.has(r) || isRegion(r));
  return {
    name: 'phone',
    entity: 'PHONE_NUMBER',
    context: PHONE_CONTEXT,
    contextBoost: 0.3,
    // A candidate has at least 7 digits outside its extension (phoneScore).
    gate: minDigits(7),
    run(text: string, emit: Emit): void {
      PHONE_CAND.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = PHONE_CAND.exec(text)) !== null) {
        let cand = m[0];
        const ext = /\s?(?:x|ext\.?)\s?\d{1,5}$/.exec(cand);
        const core = ext ? cand.slice(0, ext.index) : cand;
        const score = phoneScore(core.trim(), known);
        if (score > 0) {
          cand = cand.trimEnd();
          emit(m.index, m.index + cand.length, score);
        }
      }
    },
  };
}

/** libphonenumber knows the region (it throws on unknown default countries rather than returning undefined). */
function isRegion(r: string): boolean {
  try {
    parsePhoneNumberFromString('0', r as CountryCode);
    return true;
  } catch {
    return false;
  }
}
