// Checksum and format rules of the national identifiers, with vectors ported from Presidio's recognizer tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  verhoeffValid,
} from './national-id-validators.js';

const check = (fn: (s: string) => boolean, valid: string[], invalid: string[]) => {
  for (const v of valid) assert.equal(fn(v), true, `${fn.name}(${v}) should be valid`);
  for (const v of invalid) assert.equal(fn(v), false, `${fn.name}(${v}) should be invalid`);
};

describe('national id validators', () => {
  // Presidio presidio-analyzer/tests/test_uk_nino_recognizer.py (MIT).
  it('UK NINO: HMRC prefixes, suffix A-D, spacing and case free', () =>
    check(
      ukNinoValid,
      ['AA 12 34 56 B', 'hh 01 02 03 d', 'tw987654a', 'PR 123612C', 'YZ 61 48 68 B'],
      ['AA 12 34 56 H', 'AB 12 34 56 1', 'ab1234561', 'FQ 00 00 00 C', 'BG123612A', 'nt 99 88 77 a', 'UV 98 76 54 B'],
    ));
  // Presidio tests/test_uk_nhs_recognizer.py (MIT), plus an all-same and a check-value-10 number.
  it('UK NHS: mod 11', () =>
    check(nhsValid, ['401-023-2137', '221 395 1837', '0032698674'], ['401-023-2138', '0000000000', '1000000010']));
  // Presidio tests/test_ca_sin_recognizer.py (MIT).
  it('Canada SIN: Luhn, first digit not 0 or 8, not all the same', () =>
    check(
      caSinValid,
      [
        '130 692 544',
        '435 418 165',
        '948 584 792',
        '347-677-452',
        '731-530-150',
        '130692544',
        '550090112',
        '258 933 688',
      ],
      [
        '130 692 545',
        '130692545',
        '435-418-166',
        '046 454 286',
        '812 345 678',
        '111 111 111',
        '999 999 999',
        '13069254',
      ],
    ));
  // Presidio tests/test_in_aadhaar_recognizer.py (MIT).
  it('India Aadhaar: Verhoeff, first digit 2-9, no palindromes', () => {
    check(
      aadhaarValid,
      ['312345678909', '399876543211', '3123 4567 8909', '3998-7654-3211', '400123456787'],
      ['123456789012', '1234 5678 9012', '312345678908', '200000000002'],
    );
    assert.equal(verhoeffValid('2363'), true); // the textbook example: 236 with check digit 3
    assert.equal(verhoeffValid('2364'), false);
  });
  // Presidio tests/test_in_pan_recognizer.py (MIT): the holder-type letter (4th) must be one the IT department uses.
  it('India PAN: five letters (valid holder type), four digits, a letter', () =>
    check(inPanValid, ['ABCPD1234Z', 'ABBPM4567S', 'abcpd1234z'], ['AAASA1111R', 'ABCD1234', 'A1111DFSFS']));
  // Presidio tests/test_es_nif_recognizer.py and test_es_nie_recognizer.py (MIT).
  it('Spain NIF and NIE: mod-23 control letter', () => {
    check(
      esNifValid,
      ['55555555K', '55555555-K', '1111111-G', '1111111G', '01111111G', '55555555k', '12345678z', '12345678Z'],
      ['401-023-2138', '12345678a'],
    );
    check(
      esNieValid,
      ['Z8078221M', 'X9613851N', 'Y8063915Z', 'Y8063915-Z', 'x9613851n', 'z8078221m'],
      ['Y8063915Q', 'Y806391Q', '58063915Q', 'W8063915Q', 'x9613851q'],
    );
  });
  // Presidio tests/test_it_fiscal_code_recognizer.py (MIT). Presidio still reports AAAAAA00B11C333N (wrong check
  // letter) at a low score; we reject it. RSSMRA85T10A562S is the usual documentation example (Mario Rossi).
  it('Italy fiscal code: shape, day range and check letter', () =>
    check(
      itFiscalCodeValid,
      ['AAAAAA00B11C333Y', 'RSSMRA85T10A562S', 'rssmra85t10a562s'],
      ['AAAAAA00B11C333N', 'A55AAA00B11C333N', 'RSSMRA85T99A562S', 'RSSMRA85T10A562'],
    ));
  // Presidio tests/test_au_tfn_recognizer.py and test_au_medicare_recognizer.py (MIT).
  it('Australia TFN (weighted mod 11) and Medicare (weighted mod 10, first digit 2-6)', () => {
    check(auTfnValid, ['876 543 210', '876543210'], ['824 753 557', '824753557', '5282475355632']);
    check(auMedicareValid, ['2123 45670 1', '2123456701', '21234567011'], ['2123 25870 1', '2123258701', '1123456701']);
  });
  // Presidio tests/test_sg_fin_recognizer.py (MIT). Presidio checks the shape only: T1234567Z and G1122144L pass
  // there, but their check letters are wrong (J and R), so we reject them.
  it('Singapore NRIC/FIN: check letter by series', () =>
    check(
      sgNricValid,
      ['S2740116C', 'F2346401L', 'S9108268C', 'T7572225C', 's2740116c', 'M4332674T'],
      ['T1234567Z', 'G1122144L', 'A1234567Z', 'S2740116D', 'PA12348L'],
    ));
  // Presidio tests/test_aba_routing_recognizer.py (MIT).
  it('US ABA routing number: Federal Reserve prefix and 3-7-1 checksum', () =>
    check(
      abaRoutingValid,
      ['121000358', '3222-7162-7', '121042882', '0711-0130-7'],
      ['421042111', '1234-0000-0', '000000000', '921000358'],
    ));
  // Presidio tests/test_us_itin_recognizer.py (MIT).
  it('US ITIN: leading 9 and IRS middle-digit ranges', () =>
    check(usItinValid, ['911-70-1234', '911-53-1234', '911-64-1234', '911701234'], ['911-89-1234', '811-70-1234']));
});
