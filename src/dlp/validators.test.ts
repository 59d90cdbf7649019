// Validators: Luhn, card issuer ranges (incl. 2-series Mastercard), IBAN mod-97, SSN rules, ABA, entropy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  abaValid,
  cardIssuerValid,
  ibanValid,
  looksRandom,
  luhnValid,
  shannonEntropy,
  ssnValid,
} from './validators.js';

describe('validators', () => {
  it('Luhn', () => {
    assert.ok(luhnValid('4111111111111111'));
    assert.ok(!luhnValid('4111111111111112'));
    assert.ok(!luhnValid(''));
  });
  it('issuer ranges', () => {
    assert.ok(cardIssuerValid('2221000000000009'), '2-series Mastercard');
    assert.ok(cardIssuerValid('2720990000000000'));
    assert.ok(!cardIssuerValid('2721000000000000'));
    assert.ok(cardIssuerValid('378282246310005'), 'Amex 15');
    assert.ok(!cardIssuerValid('3782822463100050'), 'Amex is never 16');
    assert.ok(!cardIssuerValid('9111111111111111'));
  });
  it('IBAN', () => {
    assert.ok(ibanValid('GB82 WEST 1234 5698 7654 32'));
    assert.ok(!ibanValid('GB82 WEST 1234 5698 7654 33'));
    assert.ok(!ibanValid('XX82WEST12345698765432'), 'unknown country');
    assert.ok(!ibanValid('GB82WEST123456987654'), 'wrong length');
  });
  it('SSN rules', () => {
    assert.ok(ssnValid('219-09-9998'));
    for (const bad of [
      '000-12-3456',
      '666-12-3456',
      '912-12-3456',
      '123-00-4567',
      '123-45-0000',
      '111-11-1111',
      '123-45-6789',
      '078-05-1120',
    ])
      assert.ok(!ssnValid(bad), bad);
  });
  it('ABA routing', () => {
    assert.ok(abaValid('011000015'));
    assert.ok(!abaValid('011000016'));
  });
  it('entropy', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.equal(shannonEntropy('aabb'), 1);
    assert.ok(looksRandom('q8Zr2mT7xLp4Vn9sKd3Fh6Jw'));
    assert.ok(!looksRandom('passwordpassword'));
    assert.ok(!looksRandom('short1A'));
  });
});
