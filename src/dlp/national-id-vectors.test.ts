// Vectors ported from Microsoft Presidio's recognizer tests (MIT, test/fixtures/presidio/LICENSE): national ids,
// IBAN for every registry country, cards and international phones, run against the whole engine.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createDlpEngine, type EntityType } from './index.js';

const engine = createDlpEngine();
const spans = (text: string, type: EntityType, threshold?: number) =>
  engine.scan(text, { entities: [type], threshold }).map((f) => [f.start, f.end]);

/** `found` vectors must be found whole at the default threshold (with `ctx` in front when given); the rest never. */
function vectors(type: EntityType, found: string[], rejected: string[], ctx = '') {
  describe(`Presidio vectors: ${type}`, () => {
    for (const v of found)
      it(`finds ${ctx}${v}`, () => assert.deepEqual(spans(ctx + v, type), [[ctx.length, ctx.length + v.length]]));
    for (const v of rejected) it(`rejects ${v}`, () => assert.deepEqual(spans(`${ctx}${v}`, type), []));
  });
}

vectors(
  'UK_NINO',
  ['AA 12 34 56 B', 'hh 01 02 03 d', 'tw987654a', 'PR 123612C', 'YZ 61 48 68 B'],
  ['AA 12 34 56 H', 'AB 12 34 56 1', 'ab1234561', 'FQ 00 00 00 C', 'BG123612A', 'nt 99 88 77 a', 'UV 98 76 54 B'],
);
// Presidio reports NHS numbers without context; here a bare 3-3-4 number needs "NHS" near it (it is a phone shape).
vectors('UK_NHS', ['401-023-2137', '221 395 1837', '0032698674'], ['401-023-2138'], 'NHS number: ');
vectors(
  'CA_SIN',
  ['130 692 544', '435 418 165', '948 584 792', '347-677-452', '731-530-150'],
  [
    '130 692 545',
    '130692545',
    '435-418-166',
    '046 454 286',
    '812 345 678',
    '111 111 111',
    '999 999 999',
    '046-454 286',
    '046 454-286',
    '13069254',
    '1306925440',
  ],
  // Presidio finds grouped SINs without context (0.5); here a grouped 3-3-3 number needs "SIN"/"NAS" near it.
  'SIN: ',
);
vectors('CA_SIN', ['130692544', '130-692-544', '258 933 688'], ['130692545'], 'my SIN is ');
vectors(
  'IN_AADHAAR',
  ['312345678909', '399876543211', '3123 4567 8909', '3998-7654-3211', '3123:4567:8909', '400123456787'],
  ['123456789012', '1234 5678 9012', '1234-5678-9012', '1234:5678:9012'],
  'My Aadhaar number is ',
);
vectors('IN_PAN', ['ABCPD1234Z', 'ABBPM4567S'], ['AAASA1111R', 'ABCND1234Z', 'A1111DFSFS', 'ABCD1234']);
vectors(
  'ES_NIF',
  ['55555555K', '55555555-K', '1111111-G', '1111111G', '01111111G', '55555555k', '12345678z'],
  ['401-023-2138', '12345678a'],
);
vectors(
  'ES_NIE',
  ['Z8078221M', 'X9613851N', 'Y8063915Z', 'Y8063915-Z', 'x9613851n', 'z8078221m'],
  ['Y8063915Q', 'Y806391Q', '58063915Q', 'W8063915Q', 'x9613851q'],
);
vectors('IT_FISCAL_CODE', ['AAAAAA00B11C333Y'], ['AAAAAA - 00B11C333N', 'A55AAA00B11C333N']);
// A wrong check character is still the layout: Presidio reports it at 0.3; here it needs the context word.
vectors('IT_FISCAL_CODE', ['AAAAAA00B11C333N', 'AAAAAA00B11C333Y'], ['A55AAA00B11C333N'], 'codice fiscale: ');
vectors(
  'AU_TFN',
  ['876 543 210', '876543210'],
  ['824 753 557', '824753557', '5282475355632', '52824753556AF', '51 824 753 5564', '123 456\n789'],
  'TFN: ',
);
vectors(
  'AU_MEDICARE',
  ['2123 45670 1', '2123456701'],
  ['2123 25870 1', '2123258701', '212345670221', '2123456702AF', '123 456\n789'],
  'Medicare card ',
);
vectors(
  'SG_NRIC_FIN',
  ['S2740116C', 'T1234567Z', 'F2346401L', 'G1122144L', 'M4332674T'],
  ['PA12348L', 'A1234567Z', 'B1234567Z'],
);
vectors('SG_NRIC_FIN', ['A1234567Z'], ['PA12348L'], 'NRIC ');
vectors('US_ITIN', ['911-70-1234', '911-53-1234', '911-64-1234'], ['911-89-1234', '911701234']);
vectors('US_ITIN', ['911701234', '911-70-1234'], ['911-89-1234'], 'my tax id ');
// Presidio scores a checksum-valid bare ABA number 1.0; here nine digits need "routing"/"ABA" near them.
vectors(
  'ABA_ROUTING_NUMBER',
  ['121000358', '3222-7162-7', '121042882', '0711-0130-7'],
  ['421042111', '1234-0000-0'],
  'routing number ',
);

describe('Presidio-era structured types stay quiet without their evidence', () => {
  for (const [t, type] of [
    ['0032698674', 'UK_NHS'],
    ['312345678909', 'IN_AADHAAR'],
    ['876543210', 'AU_TFN'],
    ['2123456701', 'AU_MEDICARE'],
    ['121000358', 'ABA_ROUTING_NUMBER'],
    ['130692544', 'CA_SIN'],
    ['130 692 544', 'CA_SIN'],
  ] as const)
    it(`a bare ${type} candidate is below the threshold without context`, () => {
      assert.deepEqual(spans(`order ${t} shipped`, type), []);
      assert.equal(engine.scan(`order ${t} shipped`, { entities: [type], threshold: 0 }).length, 1);
    });
  it('does not read the last twelve digits of a spaced card as an Aadhaar number', () =>
    assert.deepEqual(spans('aadhaar 4111 3123 4567 8909', 'IN_AADHAAR', 0), []));
});

describe('Presidio vectors: IBAN_CODE for every registry country', () => {
  // The repository root is the nearest folder with package.json (the test also runs compiled, from dist/).
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  const file = join(root, 'test', 'fixtures', 'presidio', 'iban-vectors.json');
  const { vectors: ibans } = JSON.parse(readFileSync(file, 'utf8')) as {
    vectors: { text: string; spans: [number, number][] }[];
  };
  it('has the whole published list', () => assert.ok(ibans.length >= 300));
  for (const v of ibans)
    it(`${v.spans.length ? 'finds' : 'rejects'} ${v.text}`, () =>
      assert.deepEqual(spans(v.text, 'IBAN_CODE', v.spans.length ? undefined : 0), v.spans));
  it('finds lower-case and spaced IBANs', () => {
    const t = 'pay to de89 3704 0044 0532 0130 00 today';
    assert.deepEqual(spans(t, 'IBAN_CODE'), [[7, 34]]);
    assert.deepEqual(spans('gb29nwbk60161331926819', 'IBAN_CODE'), [[0, 22]]);
  });
});

describe('Presidio vectors: CREDIT_CARD networks and lengths', () => {
  const found = {
    'Visa 13': '4222222222222',
    'Visa 19': '4111111111111111110',
    'Mastercard 2-series': '2223003122003222',
    Amex: '378282246310005',
    Discover: '6011111111111117',
    Diners: '30569309025904',
    'JCB 16': '3530111333300000',
    'JCB 15 (1800)': '180000000000002',
    'Maestro 12': '501800000009',
    'Maestro 19': '6759649826438453003',
    UnionPay: '6200000000000005',
  };
  for (const [name, n] of Object.entries(found))
    it(`finds ${name} ${n}`, () => assert.deepEqual(spans(`card ${n}`, 'CREDIT_CARD'), [[5, 5 + n.length]]));
  for (const n of ['1748503543012', '501800000008', '560000000006', '4111111111111'])
    it(`rejects ${n}`, () => assert.deepEqual(spans(n, 'CREDIT_CARD', 0), []));
});

describe('Presidio vectors: PHONE_NUMBER beyond NANP', () => {
  const found: [string, number, number][] = [
    ['_: +55 11 98456 5666', 3, 20],
    ['Brazil: +55 11 98456 5666', 8, 25],
    ['My US number is (415) 555-0132', 16, 30],
    ['US: 415-555-0132', 4, 16],
    ['call +44 (20) 7123 4567', 5, 23],
    ['call +49 30 1234567', 5, 19],
    ['+91 4155550132 is my number', 0, 14],
    ['call +1-415-555-0132 now', 5, 20],
    ['mobile: 07911 123 456', 8, 21],
    ['tel 06 12 34 56 78', 4, 18],
    ['ring me on 0612 34 56 78', 11, 24],
    ['Telefon: 030 1234567', 9, 20],
    ['phone (11) 98456-5666', 6, 21],
  ];
  for (const [t, s, e] of found) it(`finds ${t}`, () => assert.deepEqual(spans(t, 'PHONE_NUMBER'), [[s, e]]));
  for (const t of ['Reference number: 771874544', 'invoice 2024-03-05', 'order 0612345678912345', 'SSN 706 55 4450'])
    it(`rejects ${t}`, () => assert.deepEqual(spans(t, 'PHONE_NUMBER'), []));
  it('recognizes national formats only for configured regions', () => {
    const usOnly = createDlpEngine({ phoneRegions: ['US'] });
    assert.deepEqual(usOnly.scan('mobile: 07911 123 456', { entities: ['PHONE_NUMBER'] }), []);
    assert.equal(usOnly.scan('mobile: +44 7911 123456', { entities: ['PHONE_NUMBER'] }).length, 1);
  });
  it('rejects a region code that is not ISO 3166 alpha-2, naming the field', () =>
    assert.throws(() => createDlpEngine({ phoneRegions: ['United Kingdom'] }), /phoneRegions/));
});
