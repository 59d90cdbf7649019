// Tests for the shared text facts that gate recognizers (a wrong count would silently skip a recognizer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textFacts } from './recognizer.js';
import { contextMatcher, firstPieces } from './scan-helpers.js';

/** The most digits in any 48 consecutive characters, counted the slow way. */
function bruteDigitsNear(text: string): number {
  let best = 0;
  for (let s = 0; s < Math.max(1, text.length); s++) {
    let n = 0;
    for (let i = s; i < Math.min(text.length, s + 48); i++) if (text[i] >= '0' && text[i] <= '9') n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('textFacts', () => {
  it('counts the densest 48-character window of digits', () => {
    assert.equal(textFacts('').digitsNear, 0);
    assert.equal(textFacts('no digits here').digitsNear, 0);
    assert.equal(textFacts('SSN 078-05-1120').digitsNear, 9);
    // 24/7 and 1080p far apart: never 7 digits close together, so phone/SSN/card recognizers are skipped.
    assert.equal(textFacts(`24/7 ${'x'.repeat(60)} 1080p`).digitsNear, 4);
    assert.equal(textFacts('1'.repeat(100)).digitsNear, 48);
  });
  it('agrees with a brute-force count on random texts', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 300; k++) {
      const len = Math.floor(rnd() * 200);
      let t = '';
      for (let i = 0; i < len; i++) t += rnd() < 0.2 ? String(Math.floor(rnd() * 10)) : rnd() < 0.1 ? ' ' : 'a';
      assert.equal(textFacts(t).digitsNear, bruteDigitsNear(t), JSON.stringify(t));
    }
  });
  it('notes @ and : (email and IPv6 candidates need them)', () => {
    assert.deepEqual(textFacts('a@b').at, true);
    assert.deepEqual(textFacts('fe80::1').colon, true);
    assert.deepEqual(textFacts('plain').at || textFacts('plain').colon, false);
  });
  it('notes capitals, ASCII or accented (PERSON is skipped without one)', () => {
    assert.equal(textFacts('all lower case, 12 digits 345').upper, false);
    assert.equal(textFacts('a name: Ada').upper, true);
    assert.equal(textFacts('a name: Łukasz').upper, true);
    assert.equal(textFacts('ärger').upper, true, 'any Latin-1/Extended-A letter counts (a cheap, safe superset)');
  });
  it('firstPieces: a context word can only match where its first piece occurs', () => {
    const words = ['date of birth', 'DOB', 'ss#', 'social-security'];
    assert.deepEqual(firstPieces(words), ['date', 'dob', 'ss#', 'social']);
    const ctx = contextMatcher(words)!;
    for (const t of ['date_of_birth:', 'dob', 'ss# 1', 'social security no', 'socials', 'birth date'])
      if (ctx.test(t))
        assert.ok(
          firstPieces(words)!.some((p) => t.toLowerCase().includes(p)),
          t,
        );
    assert.equal(firstPieces(['-']), undefined, 'a word without pieces disables the shortcut');
  });
});
