// Unit vectors ported from Microsoft Presidio's recognizer tests (presidio-analyzer/tests), run against our engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDlpEngine, type EntityType } from './index.js';

const engine = createDlpEngine();
const spans = (text: string, type: EntityType, threshold?: number) =>
  engine.scan(text, { entities: [type], threshold }).map((f) => [f.start, f.end]);

describe('Presidio vectors: CREDIT_CARD', () => {
  it('finds valid numbers plain, dashed and spaced at full score', () => {
    const text = '4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881';
    assert.deepEqual(spans(text, 'CREDIT_CARD'), [
      [0, 16],
      [17, 36],
      [37, 56],
    ]);
    assert.ok(engine.scan(text).every((f) => f.score >= 0.9));
  });
  for (const n of [
    '371449635398431',
    '5555555555554444',
    '30569309025904',
    '6011000400000000',
    '3528000700000000',
    '4111111111111111',
    '4917300800000000',
    '4484070000000000',
    '5019717010103742',
    '6759649826438453',
  ]) {
    it(`finds ${n}`, () => assert.deepEqual(spans(n, 'CREDIT_CARD'), [[0, n.length]]));
  }
  it('finds one behind context', () =>
    assert.deepEqual(spans('my credit card: 371449635398431', 'CREDIT_CARD'), [[16, 31]]));
  for (const t of [
    '4012-8888-8888-1882',
    'my credit card number is 4012-8888-8888-1882',
    '36168002586008',
    'my credit card number is 36168002586008',
  ]) {
    it(`rejects Luhn-invalid ${t}`, () => assert.deepEqual(spans(t, 'CREDIT_CARD', 0), []));
  }
});

describe('Presidio vectors: EMAIL_ADDRESS', () => {
  it('finds with and without context', () => {
    assert.deepEqual(spans('info@presidio.site', 'EMAIL_ADDRESS'), [[0, 18]]);
    assert.deepEqual(spans('my email is info@presidio.site', 'EMAIL_ADDRESS'), [[12, 30]]);
    assert.deepEqual(
      spans('try one of this emails: info@presidio.site or anotherinfo@presidio.site', 'EMAIL_ADDRESS'),
      [
        [24, 42],
        [46, 71],
      ],
    );
  });
  it('rejects an address without a TLD', () =>
    assert.deepEqual(spans('the email is my email is info@presidio.', 'EMAIL_ADDRESS', 0), []));
});

describe('Presidio vectors: US_SSN', () => {
  it('finds the dashed form without context (medium)', () =>
    assert.deepEqual(spans('078-05-1123', 'US_SSN'), [[0, 11]]));
  it('scores dotted, spaced and bare forms weak (below threshold) until context raises them', () => {
    for (const t of ['078.05.1123', '078 05 1123', '078051121']) {
      assert.deepEqual(spans(t, 'US_SSN'), [], t);
      const weak = engine.scan(t, { entities: ['US_SSN'], threshold: 0 });
      assert.equal(weak.length, 1, t);
      assert.ok(weak[0].score > 0 && weak[0].score < 0.5, t);
      assert.deepEqual(spans(`SSN: ${t}`, 'US_SSN'), [[5, 5 + t.length]], `with context: ${t}`);
    }
  });
  for (const t of ['0780511201', '078051120', '000000000', '666000000', '078-05-0000', '078 00 1123', '693-09.4444']) {
    it(`rejects ${t}`, () => assert.deepEqual(spans(`ssn ${t}`, 'US_SSN', 0), []));
  }
});

describe('Presidio vectors: IBAN_CODE', () => {
  const valid = [
    'AL47212110090000000235698741',
    'AL47 2121 1009 0000 0002 3569 8741',
    'AD1200012030200359100100',
    'AT61 1904 3002 3457 3201',
    'AZ21NABZ00000000137010001944',
    'BH67 BMAG 0000 1299 1234 56',
    'BE71 0961 2345 6769',
    'BR97 0036 0305 0000 1000 9795 493P 1',
    'CY17 0020 0128 0000 0012 0052 7600',
    'DE89 3704 0044 0532 0130 00',
    'FR1420041010050500013M02606',
    'GB29 NWBK 6016 1331 9268 19',
    'IT60X0542811101000000123456',
    'KW81 CBKU 0000 0000 0000 1234 5601 01',
    'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
    'NO9386011117947',
    'NL91 ABNA 0417 1643 00',
    'QA58 DOHB 0000 1234 5678 90AB CDEF G',
    'CH9300762011623852957',
  ];
  for (const v of valid) it(`finds ${v}`, () => assert.deepEqual(spans(v, 'IBAN_CODE'), [[0, v.length]]));
  const invalid = [
    'AL47 212A 1009 0000 0002 3569 8741',
    'AL47 2121 1009 0000 0002 3569 8740',
    'AD12000A2030200359100100',
    'AT61 1904 3002 3457 320',
    'BE71 0961 2345 6760',
    'DE89 3704 0044 0532 0130 01',
    'G T82 TRAJ 0102 0000 0012 1002 9690',
    'GB29 1WBK 6016 1331 9268 19',
    'NL91 ABNA 0417 1643 01',
    'EE38 2200 2210  014 5686',
  ];
  for (const v of invalid) it(`rejects ${v}`, () => assert.deepEqual(spans(v, 'IBAN_CODE', 0), []));
});

describe('Presidio vectors: IP_ADDRESS', () => {
  const found: [string, number, number][] = [
    ['microsoft.com 192.168.0.1', 14, 25],
    ['microsoft.com 684D:1111:222:3333:4444:5555:6:77', 14, 47],
    ['2345:0425:2CA1::0567:5673:23b5', 0, 30],
    ['2400:c401::5054:ff:fe1b:b031', 0, 28],
    ['fe80::1', 0, 7],
    ['2001:db8::8a2e:370:7334', 0, 23],
    ['Server IP: 2001:db8::1', 11, 22],
    ['Connect to [2001:db8::1]:8080', 12, 23],
    ['(192.168.1.1)', 1, 12],
    ['IP: 192.168.1.1.', 4, 15],
    ['192.168.1.1,', 0, 11],
    ['2001:db8::1.', 0, 11],
    ['localhost 127.0.0.1', 10, 19],
    ['Broadcast 255.255.255.255', 10, 25],
    ['Multicast ff02::1', 10, 17],
    ['::ffff:192.0.2.1', 0, 16],
  ];
  for (const [t, s, e] of found) it(`finds ${t}`, () => assert.deepEqual(spans(t, 'IP_ADDRESS'), [[s, e]]));
  it('finds several in one text', () =>
    assert.deepEqual(spans('Primary: 10.0.0.1, Secondary: 172.16.0.1', 'IP_ADDRESS'), [
      [9, 17],
      [30, 40],
    ]));
  const none = [
    'my ip: 192.168.0',
    '684D:1111:222:3333:4444:5555:77',
    'MAC address aa:bb:cc:dd:ee:ff',
    'Time 12:34:56',
    'Ratio 1:2:3:4',
    'Version 1.2.3',
    'Port 80:443',
    'std::cout',
    'MyClass::toString',
    ':::',
    'IP192.168.1.1text',
    'text192.168.1.1',
    '256.256.256.256',
    '192.168.1.256',
    'gggg:hhhh::1234',
    '300.168.1.1',
    '12345:db8::1',
    '2001::db8::1',
    'fe80::1text',
  ];
  for (const t of none) it(`rejects ${t}`, () => assert.deepEqual(spans(t, 'IP_ADDRESS'), []));
});

describe('Presidio vectors: US_PASSPORT and PHONE_NUMBER', () => {
  it('scores a bare 9-digit passport weakly and finds it with context', () => {
    const weak = engine.scan('912803456', { entities: ['US_PASSPORT'], threshold: 0 });
    assert.equal(weak.length, 1);
    assert.ok(weak[0].score > 0 && weak[0].score <= 0.1);
    assert.deepEqual(spans('my passport number is 912803456', 'US_PASSPORT'), [[22, 31]]);
  });
  it('finds US numbers national and international', () => {
    assert.deepEqual(
      spans('My US number is (415) 555-0132, and my international one is +1 415 555 0132', 'PHONE_NUMBER'),
      [
        [16, 30],
        [60, 75],
      ],
    );
  });
});
