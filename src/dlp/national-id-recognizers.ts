// Recognizers for national identifiers named as Presidio names them (UK_NINO, UK_NHS, CA_SIN, IN_AADHAAR, ...).
// Scores follow Presidio where its pattern is distinctive; bare digit runs whose only evidence is a check digit
// (NHS, Aadhaar, TFN, Medicare, ABA, bare SIN/ITIN) stay below the 0.5 threshold until a context word is near:
// one random digit run in ten passes a mod-10/mod-11 check, which is too many false alarms on order numbers.
import { minDigits, regexRecognizer, type Emit, type Recognizer } from './recognizer.js';
import {
  aadhaarValid,
  auMedicareValid,
  auTfnValid,
  caSinValid,
  esNieValid,
  esNifValid,
  IT_FISCAL_SHAPE,
  itFiscalCheckValid,
  itinValid,
  nhsValid,
  ninoValid,
  panValid,
} from './national-id-validators.js';
import { abaValid } from './validators.js';

// Digit groups must not be the middle of a longer grouped run (a spaced card number's last twelve digits).
const NB = '(?<![\\w-]|\\d[ :-])';
const NA = '(?![\\w-]|[ :-]\\d)';
const re = (src: string, flags = 'g') => new RegExp(src, flags);

const IT_CAND = re(
  '(?<!\\w)[A-Za-z]{6}[\\dLMNP-Vlmnp-v]{2}[A-Za-z][\\dLMNP-Vlmnp-v]{2}[A-Za-z][\\dLMNP-Vlmnp-v]{3}[A-Za-z](?!\\w)',
);

/** Italian fiscal code: 0.8 with a valid check character, 0.3 (context needed) when only the layout fits. */
function runItFiscal(text: string, emit: Emit): void {
  IT_CAND.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = IT_CAND.exec(text)) !== null) {
    const v = m[0].toUpperCase();
    if (!IT_FISCAL_SHAPE.test(v)) continue;
    emit(m.index, m.index + v.length, itFiscalCheckValid(v) ? 0.8 : 0.3);
  }
}

export function nationalIdRecognizers(): Recognizer[] {
  return [
    regexRecognizer('uk_nino', 'UK_NINO', re(`(?<!\\w)[A-Za-z]{2} ?\\d{2} ?\\d{2} ?\\d{2} ?[A-Da-d](?!\\w)`), 0.5, {
      minDigits: 6,
      validate: ninoValid,
      context: ['national insurance', 'ni number', 'ni no', 'nino', 'insurance number'],
      contextBoost: 0.35,
    }),
    regexRecognizer('uk_nhs', 'UK_NHS', re(`${NB}\\d{3}([- ]?)\\d{3}\\1\\d{4}${NA}`), 0.4, {
      minDigits: 10,
      validate: nhsValid,
      context: ['nhs', 'national health service', 'health service', 'health authority'],
      // Enough to beat a phone number with "number" near it (0.9): an NHS number is 3-3-4 like a phone.
      contextBoost: 0.6,
    }),
    // Presidio scores a grouped SIN 0.5 without context; one grouped 3-3-3 reference in ten passes Luhn, so here it
    // needs a context word like the bare form.
    regexRecognizer('ca_sin', 'CA_SIN', re(`${NB}[1-79]\\d{2}([- ])\\d{3}\\1\\d{3}${NA}`), 0.4, {
      minDigits: 9,
      validate: caSinValid,
      context: ['sin', 'social insurance', 'nas', 'assurance sociale'],
      contextBoost: 0.4,
    }),
    regexRecognizer('ca_sin_weak', 'CA_SIN', re(`${NB}[1-79]\\d{8}${NA}`), 0.1, {
      minDigits: 9,
      validate: caSinValid,
      context: ['sin', 'social insurance', 'nas', 'assurance sociale'],
      contextBoost: 0.6,
    }),
    regexRecognizer('in_aadhaar', 'IN_AADHAAR', re(`${NB}[2-9]\\d{3}([ :-]?)\\d{4}\\1\\d{4}${NA}`), 0.3, {
      minDigits: 12,
      validate: aadhaarValid,
      context: ['aadhaar', 'aadhar', 'uidai', 'uid'],
      contextBoost: 0.6,
    }),
    regexRecognizer('in_pan', 'IN_PAN', re('(?<!\\w)[A-Z]{3}[ABCFGHJLPT][A-Z]\\d{4}[A-Z](?!\\w)'), 0.5, {
      minDigits: 4,
      validate: panValid,
      context: ['pan', 'permanent account number'],
      contextBoost: 0.35,
    }),
    regexRecognizer('es_nif', 'ES_NIF', re('(?<![\\w-])\\d{7,8}-?[A-Za-z](?![\\w-])'), 0.7, {
      minDigits: 7,
      validate: esNifValid,
      context: ['nif', 'dni', 'documento nacional'],
      contextBoost: 0.25,
    }),
    regexRecognizer('es_nie', 'ES_NIE', re('(?<![\\w-])[XYZxyz]-?\\d{7}-?[A-Za-z](?![\\w-])'), 0.7, {
      minDigits: 7,
      validate: esNieValid,
      context: ['nie', 'extranjero', 'número de identidad de extranjero'],
      contextBoost: 0.25,
    }),
    {
      name: 'it_fiscal_code',
      entity: 'IT_FISCAL_CODE',
      run: runItFiscal,
      gate: minDigits(1),
      context: ['codice fiscale', 'cf', 'fiscal code', 'tax code'],
      contextBoost: 0.4,
    },
    regexRecognizer('au_tfn', 'AU_TFN', re(`${NB}\\d{3}([ -]?)\\d{3}\\1\\d{3}${NA}`), 0.3, {
      minDigits: 9,
      validate: auTfnValid,
      context: ['tfn', 'tax file number', 'tax file no'],
      contextBoost: 0.6,
    }),
    regexRecognizer('au_medicare', 'AU_MEDICARE', re(`${NB}[2-6]\\d{3}( ?)\\d{5}\\1\\d${NA}`), 0.3, {
      minDigits: 10,
      validate: auMedicareValid,
      context: ['medicare'],
      contextBoost: 0.6,
    }),
    regexRecognizer('sg_nric_fin', 'SG_NRIC_FIN', re('(?<!\\w)[STFGMstfgm]\\d{7}[A-Za-z](?!\\w)'), 0.5, {
      minDigits: 7,
      context: ['nric', 'fin', 'nric#', 'fin#'],
      contextBoost: 0.35,
    }),
    regexRecognizer(
      'sg_nric_fin_weak',
      'SG_NRIC_FIN',
      re('(?<!\\w)[A-EH-LN-RU-Za-eh-ln-ru-z]\\d{7}[A-Za-z](?!\\w)'),
      0.3,
      {
        minDigits: 7,
        context: ['nric', 'fin', 'nric#', 'fin#'],
        contextBoost: 0.35,
      },
    ),
    regexRecognizer('us_itin', 'US_ITIN', re(`${NB}9\\d{2}([- ])\\d{2}\\1\\d{4}${NA}`), 0.5, {
      minDigits: 9,
      validate: itinValid,
      context: ['itin', 'taxpayer', 'tax id', 'taxid', 'tin', 'individual taxpayer'],
      contextBoost: 0.35,
    }),
    regexRecognizer('us_itin_weak', 'US_ITIN', re(`${NB}9\\d{8}${NA}`), 0.3, {
      minDigits: 9,
      validate: itinValid,
      context: ['itin', 'taxpayer', 'tax id', 'taxid', 'tin', 'individual taxpayer'],
      contextBoost: 0.4,
    }),
    regexRecognizer('aba_routing', 'ABA_ROUTING_NUMBER', re(`${NB}[0123678]\\d{3}(-?)\\d{4}\\1\\d${NA}`), 0.3, {
      minDigits: 9,
      validate: abaValid,
      context: ['aba', 'routing', 'abarouting', 'bank routing', 'routing number', 'rtn'],
      contextBoost: 0.6,
    }),
  ];
}
