// International structured types through the whole engine: cards, phones by region, IBANs of every registry
// country, national ids with and without context. Vectors from Presidio's recognizer tests say so (MIT).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDlpEngine, type EntityType } from './index.js';
import { luhnValid } from './validators.js';

const engine = createDlpEngine();
const found = (text: string, type: EntityType, threshold?: number): string[] =>
  engine.scan(text, { entities: [type], threshold }).map((f) => text.slice(f.start, f.end));

/** Appends the Luhn check digit to `body`. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

describe('cards by network and length', () => {
  const cards: [string, string][] = [
    ['JCB 15 (1800)', withLuhn('18001234567890')],
    ['JCB 15 (2131)', withLuhn('21310987654321')],
    ['JCB 16', withLuhn('353011133330000')],
    ['Visa 13', withLuhn('422222222222')],
    ['Visa 19', withLuhn('411111111111111111')],
    ['Mastercard 2-series', withLuhn('222100000000000')],
    ['UnionPay 19', withLuhn('621234567890123456')],
    ['Maestro 16', withLuhn('675964982643845')],
  ];
  for (const [name, n] of cards) {
    it(`${name} plain, spaced in fours and dashed`, () => {
      assert.deepEqual(found(`paid with ${n} today`, 'CREDIT_CARD'), [n]);
      const spaced = n.replace(/(\d{4})(?=\d)/g, '$1 ');
      assert.deepEqual(found(`paid with ${spaced} today`, 'CREDIT_CARD'), [spaced]);
      const dashed = n.replace(/(\d{4})(?=\d)/g, '$1-');
      assert.deepEqual(found(dashed, 'CREDIT_CARD'), [dashed]);
    });
  }
  it('12-digit Maestro only next to a card word', () => {
    const m = withLuhn('50123456789');
    assert.deepEqual(found(`ref ${m}`, 'CREDIT_CARD'), []);
    assert.deepEqual(found(`Maestro card ${m}`, 'CREDIT_CARD'), [m]);
  });
  it('rejects a Luhn-invalid JCB 15 and a 15-digit number with no 15-digit network', () => {
    const jcb = withLuhn('18001234567890');
    const bad = jcb.slice(0, -1) + ((Number(jcb.slice(-1)) + 1) % 10);
    assert.deepEqual(found(`card ${bad}`, 'CREDIT_CARD', 0), []);
    assert.deepEqual(found(`card ${withLuhn('41111111111111')}`, 'CREDIT_CARD', 0), []); // Visa has no 15
  });
});

describe('phone numbers in national formats of the default regions', () => {
  // The examples, Presidio's tests/test_phone_recognizer.py numbers (MIT), and each region's usual layout.
  const phones = [
    '07400 123 456', // GB mobile
    '020 7123 4567', // London
    '0612 34 56 78', // NL mobile
    '06 12 34 56 78', // FR mobile
    '030 1234567', // Berlin
    '(11) 98456-5666', // São Paulo mobile with area code
    '098765 43210', // IN mobile with trunk 0
    '02 9876 5432', // Sydney
    '0412 345 678', // AU mobile
    '+1-415-555-0132',
    '+55 11 98456 5666',
    '+44 (0)20 7123 4567',
    '+49 30 1234567',
    '+39 06 678 4343',
    '+91 4155550132',
    '00 44 20 7123 4567', // dialled from Europe
  ];
  for (const p of phones) it(`finds ${p}`, () => assert.deepEqual(found(`numbers: ${p}.`, 'PHONE_NUMBER'), [p]));

  it('a national number without a trunk 0 needs a phone word (Spain, Italian mobiles)', () => {
    assert.deepEqual(found('ref 612 34 56 78', 'PHONE_NUMBER'), []);
    assert.deepEqual(found('móvil 612 34 56 78', 'PHONE_NUMBER'), ['612 34 56 78']);
    assert.deepEqual(found('call me on 345 123 4567', 'PHONE_NUMBER'), ['345 123 4567']);
  });
  it('an unformatted national number needs a phone word; `number` alone is not one', () => {
    assert.deepEqual(found('tracking number 07400123456', 'PHONE_NUMBER'), []);
    assert.deepEqual(found('tel 07400123456', 'PHONE_NUMBER'), ['07400123456']);
  });
  it('rejects dates, IPs and numbers invalid in every configured region', () => {
    for (const t of [
      '2024 05 01',
      '01.02.2023',
      '10.12.3.4',
      '0000 000 000',
      '0612 34 56 78 90 12 34',
      '+44 20 7123 456',
    ])
      assert.deepEqual(found(`phone ${t}`, 'PHONE_NUMBER', 0), [], t);
  });
  it('recognizes national formats only for configured regions', () => {
    const usOnly = createDlpEngine({ phoneRegions: ['US'] });
    assert.deepEqual(usOnly.scan('call 020 7123 4567', { entities: ['PHONE_NUMBER'] }), []);
    assert.equal(usOnly.scan('call +44 20 7123 4567', { entities: ['PHONE_NUMBER'] }).length, 1);
    const gb = createDlpEngine({ phoneRegions: ['gb'] });
    assert.equal(gb.scan('call 020 7123 4567', { entities: ['PHONE_NUMBER'] }).length, 1);
  });
});

// Every country of the SWIFT IBAN registry (release 99) with its length.
const REGISTRY: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}; // prettier-ignore

/** A valid IBAN for `cc`: a BBAN of digits and letters, then ISO 7064 mod-97 check digits. */
function makeIban(cc: string, len: number, seed: number): string {
  let bban = '';
  for (let i = 0; i < len - 4; i++)
    bban += i % 5 === 2 ? String.fromCharCode(65 + ((seed + i) % 26)) : (seed * 7 + i) % 10;
  const num = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of num) rem = (rem * 10 + Number(ch)) % 97;
  return `${cc}${String(98 - rem).padStart(2, '0')}${bban}`;
}

describe('IBAN for every registry country', () => {
  it('finds electronic, print (groups of four), lowercase and dashed forms; rejects a changed digit', () => {
    let k = 0;
    for (const [cc, len] of Object.entries(REGISTRY)) {
      const iban = makeIban(cc, len, k++);
      const print = iban.replace(/(.{4})(?=.)/g, '$1 ');
      for (const form of [iban, print, print.toLowerCase(), iban.replace(/(.{4})(?=.)/g, '$1-')])
        assert.deepEqual(found(`IBAN: ${form} please`, 'IBAN_CODE'), [form], `${cc} ${form}`);
      const d = iban.search(/\d(?=\D*$)/);
      const broken = iban.slice(0, d) + ((Number(iban[d]) + 1) % 10) + iban.slice(d + 1);
      assert.deepEqual(found(`IBAN: ${broken}`, 'IBAN_CODE', 0), [], broken);
    }
  });
  it('stops at the country length before a following word, and not inside a UUID', () => {
    const de = makeIban('DE', 22, 3);
    const print = de.replace(/(.{4})(?=.)/g, '$1 ');
    assert.deepEqual(found(`${print} BEFORE FRIDAY`, 'IBAN_CODE'), [print]);
    assert.deepEqual(found(`${de}X`, 'IBAN_CODE', 0), []);
    assert.deepEqual(found(`trace be12abcd-ef01-2345-6789-abcdef012345`, 'IBAN_CODE', 0), []);
  });
});

describe('national ids in text', () => {
  const cases: [EntityType, string, string][] = [
    // [type, text, value expected at the default threshold]
    ['UK_NINO', 'Here is my National Insurance Number YZ 61 48 68 B', 'YZ 61 48 68 B'], // Presidio test_uk_nino
    ['UK_NINO', 'ref AB123456C', 'AB123456C'],
    ['UK_NHS', 'NHS number 401-023-2137', '401-023-2137'], // Presidio test_uk_nhs
    ['CA_SIN', 'my SIN is 130-692-544', '130-692-544'], // Presidio test_ca_sin
    ['CA_SIN', 'mon NAS: 258 933 688', '258 933 688'], // Presidio test_ca_sin
    ['IN_AADHAAR', 'My Aadhaar number is 400123456787 with a lot of text beyond it', '400123456787'], // Presidio
    ['IN_AADHAAR', 'id 3123 4567 8909', '3123 4567 8909'],
    ['IN_PAN', 'My PAN number is ABBPM4567S with a lot of text beyond it', 'ABBPM4567S'], // Presidio test_in_pan
    ['ES_NIF', 'DNI 55555555-K', '55555555-K'], // Presidio test_es_nif
    ['ES_NIE', 'Mi NIE es X9613851N', 'X9613851N'], // Presidio test_es_nie
    ['IT_FISCAL_CODE', 'codice fiscale RSSMRA85T10A562S', 'RSSMRA85T10A562S'],
    ['AU_TFN', 'my TFN is 876 543 210', '876 543 210'], // Presidio test_au_tfn
    ['AU_MEDICARE', 'card 2123 45670 1', '2123 45670 1'], // Presidio test_au_medicare
    ['SG_NRIC_FIN', 'NRIC S2740116C was processed', 'S2740116C'], // Presidio test_sg_fin
    ['ABA_ROUTING_NUMBER', 'routing number 121000358', '121000358'], // Presidio test_aba_routing
    ['US_ITIN', 'ITIN 911-70-1234', '911-70-1234'], // Presidio test_us_itin
  ];
  for (const [type, text, value] of cases) it(`${type}: ${text}`, () => assert.deepEqual(found(text, type), [value]));

  it('digit-only ids with a weak checksum need their context word', () => {
    for (const [type, v] of [
      ['UK_NHS', '401-023-2137'],
      ['CA_SIN', '130 692 544'],
      ['AU_TFN', '876 543 210'],
      ['ABA_ROUTING_NUMBER', '121000358'],
      ['IN_AADHAAR', '400123456787'],
    ] as const) {
      assert.deepEqual(found(`order ${v} shipped`, type), [], type);
      assert.equal(found(`order ${v} shipped`, type, 0).length, 1, `${type} is still a candidate below the threshold`);
    }
  });
  it('rejects checksum failures even next to context', () => {
    for (const [type, t] of [
      ['UK_NINO', 'NINO AA 12 34 56 H'],
      ['UK_NHS', 'NHS 401-023-2138'],
      ['CA_SIN', 'SIN 130 692 545'],
      ['IN_AADHAAR', 'aadhaar 1234 5678 9012'],
      ['ES_NIF', 'NIF 12345678A'],
      ['ES_NIE', 'NIE Y8063915Q'],
      ['IT_FISCAL_CODE', 'codice fiscale AAAAAA00B11C333N'],
      ['AU_TFN', 'TFN 824 753 557'],
      ['AU_MEDICARE', 'medicare 2123 25870 1'],
      ['SG_NRIC_FIN', 'NRIC T1234567Z'],
      ['ABA_ROUTING_NUMBER', 'routing 421042111'],
      ['US_ITIN', 'ITIN 911-89-1234'],
    ] as const)
      assert.deepEqual(found(t, type, 0), [], t);
  });
  it('a grouped number inside a longer digit run is not an id (the start of a card is not an Aadhaar)', () => {
    assert.deepEqual(found('aadhaar 4328 9769 1182 1580', 'IN_AADHAAR', 0), []);
  });
});
