// National identifiers as Presidio names them (UK_NINO, UK_NHS, CA_SIN, IN_AADHAAR, IN_PAN, ES_NIF, ES_NIE,
// IT_FISCAL_CODE, AU_TFN, AU_MEDICARE, SG_NRIC_FIN, ABA_ROUTING_NUMBER, US_ITIN): shape, checksum, context.
//
// Scores follow one rule: a checksum over digits only (Luhn, mod 11, Verhoeff, 3-7-1) passes one random number in
// ten or eleven, so bare digit forms need a context word; letters in fixed places or a distinctive grouping
// (NINO, NIF/NIE, fiscal code, NRIC, Medicare's 4-5-1, Aadhaar's 4-4-4) pass without one. Presidio scores every
// checksum-valid match high without context; we do not, so nine-digit order numbers stay unflagged.
import { groupRecognizer, type Recognizer } from './recognizer.js';
import {
  aadhaarValid,
  abaRoutingValid,
  auMedicareValid,
  auTfnValid,
  caSinValid,
  esNieValid,
  esNifValid,
  inPanValid,
  itFiscalCodeValid,
  nhsValid,
  sgNricValid,
  ukNinoValid,
  usItinValid,
} from './national-id-validators.js';

const hasLower = (v: string): boolean => v !== v.toUpperCase();
const hasSep = (v: string): boolean => /[\s:-]/.test(v);

/** `upper` for an all-upper-case value, `lower` otherwise; 0 when `valid` fails. */
const byCase =
  (valid: (v: string) => boolean, upper: number, lower: number) =>
  (v: string): number =>
    valid(v) ? (hasLower(v) ? lower : upper) : 0;
/** `spaced` when the digits are grouped with separators, `bare` otherwise; 0 when `valid` fails. */
const bySep =
  (valid: (v: string) => boolean, spaced: number, bare: number) =>
  (v: string): number =>
    valid(v) ? (hasSep(v) ? spaced : bare) : 0;

// Boundaries: not inside a longer word or number (a dash joins numbers, so it counts as inside); grouped digit
// forms also not next to another group (`4328 9769 1182` is the start of a card number, not an Aadhaar).
const B = '(?<![\\w-])';
const E = '(?![\\w-])';
const GB = '(?<![\\w-]|\\d[ .:/-])';
const GE = '(?![\\w-]|[ .:/-]\\d)';

export function nationalIdRecognizers(): Recognizer[] {
  return [
    groupRecognizer(
      'uk_nino',
      'UK_NINO',
      `${B}[A-Za-z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-Da-d]${E}`,
      byCase(ukNinoValid, 0.6, 0.4),
      {
        minDigits: 2,
        before: (text, g, at) => {
          if (g.start >= 3 && text[g.start - 1] === ' ' && /^[A-Za-z]{2}$/.test(text.slice(g.start - 3, g.start - 1)))
            at(g.start - 3);
        },
        context: ['national insurance', 'national insurance number', 'ni number', 'ni no', 'nino', 'insurance number'],
        contextBoost: 0.3,
      },
    ),
    groupRecognizer('uk_nhs', 'UK_NHS', `${GB}\\d{3}([ -]?)\\d{3}\\1\\d{4}${GE}`, bySep(nhsValid, 0.3, 0.1), {
      minDigits: 10,
      context: ['nhs', 'nhs number', 'nhs no', 'national health service', 'health service', 'health authority'],
      contextBoost: 0.5,
    }),
    groupRecognizer('ca_sin', 'CA_SIN', `${GB}\\d{3}([ -]?)\\d{3}\\1\\d{3}${GE}`, bySep(caSinValid, 0.3, 0.1), {
      minDigits: 9,
      context: [
        'sin',
        'sin number',
        'social insurance',
        'social insurance number',
        'nas',
        'numéro d assurance sociale',
        'assurance sociale',
      ],
      contextBoost: 0.5,
    }),
    groupRecognizer(
      'in_aadhaar',
      'IN_AADHAAR',
      `${GB}\\d{4}([ :-]?)\\d{4}\\1\\d{4}${GE}`,
      bySep(aadhaarValid, 0.5, 0.2),
      {
        minDigits: 12,
        context: ['aadhaar', 'aadhar', 'uidai', 'aadhaar number', 'uid'],
        contextBoost: 0.4,
      },
    ),
    groupRecognizer('in_pan', 'IN_PAN', `${B}[A-Za-z]{5}\\d{4}[A-Za-z]${E}`, byCase(inPanValid, 0.5, 0.2), {
      minDigits: 4,
      context: ['pan', 'pan no', 'pan number', 'pan card', 'permanent account number', 'income tax'],
      contextBoost: 0.35,
    }),
    groupRecognizer('es_nif', 'ES_NIF', `${B}\\d{7,8}-?[A-Za-z]${E}`, byCase(esNifValid, 0.6, 0.5), {
      minDigits: 7,
      context: ['nif', 'dni', 'documento nacional de identidad', 'número de identificación fiscal'],
      contextBoost: 0.3,
    }),
    groupRecognizer('es_nie', 'ES_NIE', `${B}[XYZxyz]\\d{7}-?[A-Za-z]${E}`, byCase(esNieValid, 0.6, 0.5), {
      minDigits: 7,
      context: ['nie', 'número de identidad de extranjero', 'número de identificación de extranjero', 'extranjero'],
      contextBoost: 0.3,
    }),
    groupRecognizer(
      'it_fiscal_code',
      'IT_FISCAL_CODE',
      `${B}[A-Za-z]{6}[\\dLMNP-Vlmnp-v]{2}[A-Za-z][\\dLMNP-Vlmnp-v]{2}[A-Za-z][\\dLMNP-Vlmnp-v]{3}[A-Za-z]${E}`,
      byCase(itFiscalCodeValid, 0.9, 0.6),
      {
        minDigits: 1,
        context: ['codice fiscale', 'cf', 'c f', 'fiscal code', 'tax code'],
        contextBoost: 0.1,
      },
    ),
    groupRecognizer('au_tfn', 'AU_TFN', `${GB}\\d{3}([ -]?)\\d{3}\\1\\d{3}${GE}`, bySep(auTfnValid, 0.3, 0.1), {
      minDigits: 9,
      context: ['tfn', 'tax file number', 'tax file'],
      contextBoost: 0.5,
    }),
    groupRecognizer(
      'au_medicare',
      'AU_MEDICARE',
      `${GB}[2-6]\\d{3}([ -]?)\\d{5}\\1\\d(?:[ -]?\\d)?${GE}`,
      bySep(auMedicareValid, 0.5, 0.1),
      { minDigits: 10, context: ['medicare', 'medicare number', 'medicare card'], contextBoost: 0.5 },
    ),
    groupRecognizer(
      'sg_nric_fin',
      'SG_NRIC_FIN',
      `${B}[STFGMstfgm]\\d{7}[A-Za-z]${E}`,
      (v) => (!sgNricValid(v) ? 0 : /^m/i.test(v) || hasLower(v) ? 0.4 : 0.7),
      {
        minDigits: 7,
        context: ['nric', 'nric no', 'fin', 'fin no', 'identity card', 'ic number', 'ic no'],
        contextBoost: 0.3,
      },
    ),
    groupRecognizer(
      'aba_routing',
      'ABA_ROUTING_NUMBER',
      `${GB}(?:\\d{4}-\\d{4}-\\d|\\d{9})${GE}`,
      bySep(abaRoutingValid, 0.2, 0.05),
      {
        minDigits: 9,
        context: [
          'aba',
          'routing',
          'routing number',
          'routing no',
          'rtn',
          'transit number',
          'bank routing',
          'aba number',
        ],
        contextBoost: 0.6,
      },
    ),
    groupRecognizer(
      'us_itin',
      'US_ITIN',
      `${GB}9\\d{2}([ -]?)\\d{2}\\1\\d{4}${GE}`,
      (v) => {
        if (!usItinValid(v)) return 0;
        return v.includes('-') ? 0.6 : v.includes(' ') ? 0.3 : 0.2;
      },
      {
        minDigits: 9,
        context: ['itin', 'taxpayer', 'tax id', 'taxpayer identification', 'individual taxpayer', 'tin'],
        contextBoost: 0.5,
        maxBaseScore: 0.6,
      },
    ),
  ];
}
