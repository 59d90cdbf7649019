// The compiled phone plans give libphonenumber-js's own validity answers (its parse + isValid, full metadata).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getExampleNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { matchInternational, matchNational, regionPlan } from './phone-plan.js';

const REGIONS = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'BR', 'IN', 'AU', 'CA', 'FI', 'HU', 'SE', 'DK', 'PL', 'JP'];

/** Deterministic pseudo-random digits (no Math.random: failures must reproduce). */
function* numbers(seed: number, example: string): Generator<string> {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 1500; i++) {
    let d = '';
    // Half near the region's example (same leading digits), half random; some with a leading trunk 0.
    if (next() < 0.5) {
      d = example.slice(0, 2 + Math.floor(next() * 3));
      while (d.length < example.length) d += Math.floor(next() * 10);
    } else {
      const len = 6 + Math.floor(next() * 8);
      while (d.length < len) d += Math.floor(next() * 10);
    }
    yield next() < 0.4 ? `0${d}` : d;
  }
}

describe('phone plans from libphonenumber metadata', () => {
  it('agree with libphonenumber on national numbers (example numbers and 1,500 near-misses per region)', () => {
    let disagree = 0;
    let total = 0;
    const seen: string[] = [];
    for (const [k, r] of REGIONS.entries()) {
      const plan = regionPlan(r)!;
      const ex = getExampleNumber(r as CountryCode, examples)!.nationalNumber;
      assert.ok(matchNational(ex, [plan]), `${r} example ${ex}`);
      for (const d of numbers(k + 1, ex)) {
        // libphonenumber also reads national digits that start with the country's own calling code as
        // international ones (`4930…` with DE); we do not, so those are left out of the comparison.
        if (d.startsWith(plan.callingCode)) continue;
        const lib = parsePhoneNumberFromString(d, r as CountryCode)?.isValid() ?? false;
        const mine = matchNational(d, [plan]) !== undefined;
        total++;
        if (lib !== mine) {
          disagree++;
          if (seen.length < 5) seen.push(`${r} ${d} lib=${lib}`);
        }
      }
    }
    assert.ok(total > 20000);
    assert.equal(disagree, 0, seen.join('; '));
  });

  it('agree with libphonenumber on +CC numbers', () => {
    let disagree = 0;
    for (const [k, r] of REGIONS.entries()) {
      const plan = regionPlan(r)!;
      const ex = getExampleNumber(r as CountryCode, examples)!.nationalNumber;
      for (const d of numbers(100 + k, ex)) {
        const lib = parsePhoneNumberFromString(`+${plan.callingCode}${d}`)?.isValid() ?? false;
        const mine = matchInternational(plan.callingCode + d) !== undefined;
        if (lib !== mine) disagree++;
      }
    }
    assert.equal(disagree, 0);
  });

  it('reads trunk prefixes, IDD prefixes and shared calling codes', () => {
    const gb = regionPlan('GB')!;
    assert.deepEqual(matchNational('07400123456', [gb]), { region: 'GB', trunk: true });
    assert.deepEqual(matchNational('7400123456', [gb]), { region: 'GB', trunk: false });
    assert.equal(matchNational('0740012345', [gb]), undefined); // one digit short
    // 07911 is Guernsey's range, which shares +44: still valid with region GB.
    assert.equal(matchNational('07911123456', [gb])?.region, 'GG');
    // Dialled from Germany to the UK; +44 20 with the trunk 0 written in brackets.
    assert.equal(matchNational('00442071234567', [regionPlan('DE')!])?.region, 'GB');
    assert.equal(matchInternational('4402071234567'), 'GB');
    // Manitoba's 204 is Canadian: valid with region US, as libphonenumber has it.
    assert.equal(matchNational('2042345678', [regionPlan('US')!])?.region, 'CA');
    assert.equal(regionPlan('XX'), undefined);
  });
});
