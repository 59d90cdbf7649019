// Value generators of the pre-issue-19 eval corpus (frozen copy): seeded faker PII, secrets and hard negatives.
import { createHash } from 'node:crypto';
import { Faker, base, de, en, en_US, es, fr, it } from '@faker-js/faker';

export type Gen = () => string;

export interface Fakers {
  us: Faker;
  /** Non-US locales for names, so PERSON is not only tested on the lexicon's own culture. */
  intl: Faker[];
}

export function makeFakers(seed: number): Fakers {
  const us = new Faker({ locale: [en_US, en, base], seed });
  const intl = [de, fr, es, it].map((l, i) => new Faker({ locale: [l, en, base], seed: seed * 7 + i }));
  return { us, intl };
}

const luhnDigit = (body: string): string => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};

export function valueGenerators(fk: Fakers): Record<string, Gen[]> {
  const f = fk.us;
  const pick = <T>(xs: readonly T[]): T => f.helpers.arrayElement(xs);
  const digits = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: true });
  const ssnParts = () => {
    const area = String(f.number.int({ min: 1, max: 899 })).padStart(3, '0');
    const a = area === '666' ? '667' : area;
    return [
      a,
      String(f.number.int({ min: 1, max: 99 })).padStart(2, '0'),
      String(f.number.int({ min: 1, max: 9999 })).padStart(4, '0'),
    ];
  };
  const b64u = (s: string) => Buffer.from(s).toString('base64url');
  const alnum = (n: number) => f.string.alphanumeric({ length: n, casing: 'mixed' });
  const person = () => (f.datatype.boolean(0.6) ? f : pick(fk.intl)).person;
  const card = () => {
    const v = f.finance.creditCardNumber(pick(['visa', 'mastercard', 'amex', 'discover', 'jcb']));
    const d = v.replace(/\D/g, '');
    return pick([v, d, d.replace(/(\d{4})(?=\d)/g, '$1 ')]);
  };
  const date = (d: Date) => {
    const [y, m, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const months = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ];
    return pick([
      `${String(m).padStart(2, '0')}/${String(dd).padStart(2, '0')}/${y}`,
      `${y}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}`,
      `${months[m - 1]} ${dd}, ${y}`,
      `${dd} ${months[m - 1]} ${y}`,
      `${m}/${dd}/${y}`,
    ]);
  };
  return {
    EMAIL_ADDRESS: [
      () => f.internet.email(),
      () => f.internet.email({ provider: pick(['acme.io', 'corp.example.co.uk', 'mail.bank.com']) }),
      () => `${f.internet.username().toLowerCase()}+${f.word.noun()}@${f.internet.domainName()}`,
    ],
    PHONE_NUMBER: [
      () => f.phone.number({ style: 'national' }),
      () => f.phone.number({ style: 'international' }),
      () =>
        `${digits(0)}${f.number.int({ min: 2, max: 9 })}${digits(2)}-${f.number.int({ min: 2, max: 9 })}${digits(2)}-${digits(4)}`,
      () => `+44 20 ${f.number.int({ min: 7000, max: 8999 })} ${digits(4)}`,
    ],
    CREDIT_CARD: [card],
    US_SSN: [
      () => ssnParts().join('-'),
      () => ssnParts().join('-'),
      () => ssnParts().join(' '),
      () => ssnParts().join(''),
    ],
    IBAN_CODE: [() => f.finance.iban(), () => f.finance.iban({ formatted: true })],
    IP_ADDRESS: [
      () => f.internet.ipv4(),
      () => f.internet.ipv4(),
      () => f.internet.ipv6(),
      () =>
        `fe80::${f.string.hexadecimal({ length: 4, prefix: '' }).toLowerCase()}:${f.string.hexadecimal({ length: 3, prefix: '' }).toLowerCase()}`,
    ],
    US_PASSPORT: [() => digits(9), () => `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(8)}`],
    US_DRIVER_LICENSE: [
      () => `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(7)}`,
      () => `${f.string.alpha({ length: 1, casing: 'upper' })}${digits(12)}`,
      () => digits(8),
    ],
    DATE_OF_BIRTH: [() => date(f.date.birthdate())],
    PERSON: [
      () =>
        person()
          .fullName({})
          .replace(/^(Mr|Mrs|Ms|Miss|Dr)\.? /, ''),
      () => `${person().firstName()} ${person().lastName()}`,
    ],
    STREET_ADDRESS: [
      () => f.location.streetAddress(),
      () => f.location.streetAddress(true),
      () =>
        `${f.location.streetAddress()}, ${f.location.city()}, ${f.location.state({ abbreviated: true })} ${f.location.zipCode('#####')}`,
    ],
    API_KEY: [
      () => `AKIA${f.string.alphanumeric({ length: 16, casing: 'upper' })}`,
      () => `ghp_${alnum(36)}`,
      () => `xoxb-${digits(11)}-${digits(12)}-${alnum(24)}`,
      () => `sk-proj-${alnum(48)}`,
      () =>
        `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify({ sub: f.string.uuid(), iat: f.number.int({ min: 1.6e9, max: 1.8e9 }) }))}.${alnum(43)}`,
      () =>
        `-----BEGIN RSA PRIVATE KEY-----\n${Array.from({ length: 4 }, () => f.string.alphanumeric(64)).join('\n')}\n-----END RSA PRIVATE KEY-----`,
      () => alnum(32),
    ],
  };
}

/** Hard negatives: strings that look like PII to a naive scanner but are not. */
export function negativeGenerators(fk: Fakers): Record<string, Gen> {
  const f = fk.us;
  const digits = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: false });
  return {
    uuid: () => f.string.uuid(),
    git_sha: () => (f.datatype.boolean() ? f.git.commitSha() : f.git.commitSha({ length: 7 })),
    luhn_invalid_16: () => {
      const body = `4${digits(14)}`;
      const bad = String((Number(luhnDigit(body)) + f.number.int({ min: 1, max: 9 })) % 10);
      const d = body + bad;
      return f.datatype.boolean() ? d : d.replace(/(\d{4})(?=\d)/g, '$1 ');
    },
    order_number_9: () => digits(9),
    tracking_number: () =>
      f.helpers.arrayElement([
        `1Z${f.string.alphanumeric({ length: 16, casing: 'upper' })}`,
        digits(12),
        `9400${digits(18)}`,
      ]),
    build_number_ip_like: () =>
      `${f.number.int({ min: 1, max: 12 })}.${f.number.int({ max: 30 })}.${f.number.int({ max: 9 })}.${f.number.int({ max: 4000 })}`,
    timestamp: () =>
      f.helpers.arrayElement([
        f.date.recent().toISOString(),
        String(f.date.recent().getTime()),
        f.date.recent().toUTCString(),
      ]),
    price: () =>
      f.helpers.arrayElement([
        `$${f.finance.amount({ min: 1, max: 99999, dec: 2 })}`,
        `€${f.number.int({ min: 1000, max: 999999 }).toLocaleString('en-US')}.00`,
        `USD ${f.finance.amount({ min: 100, max: 5000000, dec: 2, autoFormat: true })}`,
      ]),
    // Capitalized non-names (products, places, titles): what a capitalization-based PERSON detector trips on.
    capitalized_phrase: () =>
      f.helpers.arrayElement([
        f.commerce.productName(),
        f.location.city(),
        f.book.title(),
        f.music.songName(),
        f.company.catchPhrase().replace(/^\w/, (c) => c.toUpperCase()),
      ]),
    sha256: () => createHash('sha256').update(f.string.alphanumeric(12)).digest('hex'),
  };
}
