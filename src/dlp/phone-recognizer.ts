// PHONE_NUMBER: candidates from the shared pass, validity per configured region from libphonenumber's metadata,
// and context words (Presidio's, plus the same words in the languages of the default regions) for weak forms.
import { groupRecognizer, type Recognizer } from './recognizer.js';
import { matchInternational, matchNational, regionPlan, type RegionPlan } from './phone-plan.js';
import { digitsOf } from './validators.js';

/** Regions whose national formats are recognized when no dlp.phoneRegions is configured. */
export const DEFAULT_PHONE_REGIONS = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'IN', 'AU', 'CA'] as const;

const DATE_SHAPE = /\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|^(?:19|20)\d\d [01]\d [0-3]\d$/;
const IPV4_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const NANP = /^[2-9]\d{2}[2-9]\d{6}$/;
const NINE_3_3_3 = /^\d{3}[-. ]\d{3}[-. ]\d{3}$/;
const EXT = /\s?(?:x|ext\.?)\s?\d{1,5}$/;

const SSN_SHAPE = /^\d{3}[ -]\d{2}[ -]\d{4}$/;
/** Words that name a phone (not `number` or `contact`, which also precede order and tracking numbers). */
const PHONE_WORD =
  /(?<![a-z0-9])(?:phone|tel|telephone|call|mobile|cell|cellphone|fax|whatsapp|tél|téléphone|portable|telefon|telefonnummer|handy|mobil|rufnummer|teléfono|telefono|móvil|movil|cellulare|telefone|celular|telefoon|gsm|puhelin|matkapuhelin|ring)(?![a-z0-9])/;

/** A phone word in the 48 characters before `start` (or the 24 after `end`). */
export function phoneWordNear(text: string, start: number, end: number): boolean {
  return (
    PHONE_WORD.test(text.slice(Math.max(0, start - 48), start).toLowerCase()) ||
    PHONE_WORD.test(text.slice(end, end + 24).toLowerCase())
  );
}

/**
 * Base score of a candidate (extension removed): 0.6 for a formatted number valid as written (`+CC …`, NANP
 * `(415) 555-0132`, or a national number with a leading 0 valid in a configured region: `07911 123 456`,
 * `0612 34 56 78`, `(11) 98456-5666`); 0.4 (context needed) for the same unformatted; -1 for national numbers
 * that are only phone numbers next to a phone word (no leading 0 as in Spain's `612 34 56 78`, unformatted, or
 * shaped like an SSN):
 * the caller checks for one. 0 when invalid.
 */
export function phoneScore(cand: string, plans: readonly RegionPlan[], nanp: boolean): number {
  if (DATE_SHAPE.test(cand) || IPV4_SHAPE.test(cand)) return 0;
  const digits = digitsOf(cand);
  if (digits.length < 7 || digits.length > 15) return 0;
  const formatted = /[+()\s.-]/.test(cand);
  const intl = cand.charCodeAt(0) === 43; // +
  const strong = formatted ? 0.6 : 0.4;
  // NANP by structure rather than the assigned-area list, so new area codes pass: 10 digits, or 11 starting with 1.
  if (nanp && ((!intl && digits.length === 10) || (digits.length === 11 && digits[0] === '1'))) {
    if (NANP.test(digits.slice(-10)) && !NINE_3_3_3.test(cand)) return strong;
    if (intl) return 0;
  }
  if (intl) {
    if (digits[0] === '1') return 0; // +1 numbers are NANP-shaped or invalid
    return matchInternational(digits) ? strong : 0;
  }
  if (!matchNational(digits, plans)) return 0;
  // Written the national way: a trunk 0 or the area code in brackets (`(11) 98456-5666` in Brazil).
  const national = digits[0] === '0' || cand.charCodeAt(0) === 40;
  return national && formatted && !SSN_SHAPE.test(cand) ? 0.6 : -1;
}

const CONTEXT = [
  'phone',
  'call',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'contact',
  'reach',
  'text me',
  'whatsapp',
  'number',
  // The default regions' languages.
  'tél',
  'téléphone',
  'portable',
  'telefon',
  'telefonnummer',
  'handy',
  'mobil',
  'rufnummer',
  'teléfono',
  'telefono',
  'móvil',
  'movil',
  'cellulare',
  'numero',
  'número',
  'telefone',
  'celular',
  'nummer',
  'telefoon',
  'gsm',
];

export function phoneRecognizer(regions: readonly string[] = DEFAULT_PHONE_REGIONS): Recognizer {
  const plans = regions.map((r) => regionPlan(r.toUpperCase())).filter((p): p is RegionPlan => p !== undefined);
  const nanp = plans.some((p) => p.callingCode === '1');
  return groupRecognizer(
    'phone',
    'PHONE_NUMBER',
    '(?<![\\w.+/-]|\\d[. ])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{1,4}\\)[ .-]?)?\\d[\\d .-]{5,16}\\d(?:\\s?(?:x|ext\\.?)\\s?\\d{1,5})?(?![\\w/-]|[. ]\\d)',
    (cand, text, start) => {
      const ext = EXT.exec(cand);
      const score = phoneScore((ext ? cand.slice(0, ext.index) : cand).trim(), plans, nanp);
      return score >= 0 ? score : phoneWordNear(text, start, start + cand.length) ? 0.6 : 0;
    },
    { minDigits: 7, lead: true, context: CONTEXT, contextBoost: 0.3, maxBaseScore: 0.6 },
  );
}
