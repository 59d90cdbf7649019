// Multi-locale value generators (faker locales) for the international DLP corpus, plus its hard negatives.
import * as F from '@faker-js/faker';
import { idGenerators } from './intl-ids.js';

export const EVAL_LOCALES = [
  'en_US',
  'en_GB',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pt_BR',
  'fi',
  'hu',
  'sv',
  'da',
  'pl',
] as const;
export type EvalLocale = (typeof EVAL_LOCALES)[number];
/** The IBAN country of each locale. */
const COUNTRY: Record<EvalLocale, string> = {
  en_US: 'DE',
  en_GB: 'GB',
  de: 'DE',
  fr: 'FR',
  es: 'ES',
  it: 'IT',
  nl: 'NL',
  pt_BR: 'BR',
  fi: 'FI',
  hu: 'HU',
  sv: 'SE',
  da: 'DK',
  pl: 'PL',
};
const PO_BOX: Record<EvalLocale, string> = {
  en_US: 'PO Box',
  en_GB: 'PO Box',
  de: 'Postfach',
  fr: 'BP',
  es: 'Apartado',
  it: 'Casella Postale',
  nl: 'Postbus',
  pt_BR: 'Caixa Postal',
  fi: 'PL',
  hu: 'Pf.',
  sv: 'Box',
  da: 'Postboks',
  pl: 'Skrytka pocztowa',
};

export interface LocaleFaker {
  locale: EvalLocale;
  f: F.Faker;
}

export function localeFakers(seed: number): LocaleFaker[] {
  const defs = F as unknown as Record<string, F.LocaleDefinition>;
  return EVAL_LOCALES.map((locale, i) => ({
    locale,
    f: new F.Faker({ locale: [defs[locale], F.en, F.base], seed: seed * 31 + i }),
  }));
}

const stripTitle = (s: string) =>
  s.replace(/^(?:Mr|Mrs|Ms|Miss|Dr|Mme|Mlle|M|Herr|Frau|Sr|Sra|Srta|Sig|Dott|Ing|Prof|Pan|Pani)\.? /, '');

export function intlValues(lf: LocaleFaker): Record<string, () => string> {
  const { f, locale } = lf;
  const ids = idGenerators(f);
  const street = () => f.location.streetAddress(false);
  return {
    PERSON: () =>
      f.helpers.arrayElement([
        () => stripTitle(f.person.fullName()),
        () => `${f.person.firstName()} ${f.person.lastName()}`,
      ])(),
    STREET_ADDRESS: () =>
      f.helpers.arrayElement([
        street,
        () => `${street()}, ${f.location.zipCode()} ${f.location.city()}`,
        () => `${street()}\n${f.location.zipCode()} ${f.location.city()}\n${f.location.country()}`,
        () => `${PO_BOX[locale]} ${f.number.int({ min: 10, max: 9999 })}, ${f.location.zipCode()} ${f.location.city()}`,
      ])(),
    PHONE_NUMBER: () => f.phone.number({ style: f.helpers.arrayElement(['national', 'international']) }),
    EMAIL_ADDRESS: () => f.internet.email(),
    IBAN_CODE: () => {
      const v = f.finance.iban({ formatted: f.datatype.boolean(), countryCode: COUNTRY[locale] });
      return f.datatype.boolean(0.2) ? v.toLowerCase() : v;
    },
    CREDIT_CARD: () => {
      const v = f.finance.creditCardNumber(
        f.helpers.arrayElement(['visa', 'mastercard', 'american_express', 'discover', 'diners_club', 'jcb', 'maestro']),
      );
      const digits = v.replace(/\D/g, '');
      return f.helpers.arrayElement([v, digits]);
    },
    ...ids,
  };
}

/** Hard negatives: look-alikes of the international types and of names and addresses. */
export function intlNegatives(lf: LocaleFaker): Record<string, () => string> {
  const { f } = lf;
  const d = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: false });
  return {
    title_or_song: () => f.helpers.arrayElement([f.book.title(), f.music.songName(), f.music.album()]),
    place_name: () => f.helpers.arrayElement([f.location.city(), f.location.country(), f.location.state()]),
    company: () => f.company.name(),
    product: () => f.commerce.productName(),
    postal_code_alone: () => f.location.zipCode(),
    eu_amount: () => `${f.number.int({ min: 1, max: 99 })}.${d(3)},${d(2)} €`,
    eu_date: () =>
      `${f.number.int({ min: 1, max: 28 })}.${f.number.int({ min: 1, max: 12 })}.${f.number.int({ min: 2000, max: 2030 })}`,
    order_ref: () => f.helpers.arrayElement([d(9), d(10), d(12), `${d(3)}-${d(3)}-${d(3)}`]),
    version: () => `${f.number.int({ min: 1, max: 20 })}.${f.number.int({ max: 40 })}.${f.number.int({ max: 99 })}`,
    sku: () =>
      `${f.string.alpha({ length: 3, casing: 'upper' })}-${d(5)}-${f.string.alpha({ length: 2, casing: 'upper' })}`,
  };
}
