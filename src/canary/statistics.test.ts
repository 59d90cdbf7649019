// The analysis gate's statistics against reference values. Source of every reference: scipy 1.17.1
// (scipy.stats.mannwhitneyu(..., method='asymptotic') and norm.sf for the pooled proportion z), each also derivable
// by hand as the comments show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitneyU, normalSf, quantile, twoProportionZ } from './statistics.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} ≉ ${b}`);

describe('Mann-Whitney U', () => {
  it('matches the scipy documentation example (no ties)', () => {
    // scipy docs: males [19,22,16,29,24], females [20,11,17,12]. Ranks of males 3,5,7,8,9 → R1=32, U1=32−15=17;
    // μ=10, σ=√(20·10/12)=4.0825; z=(7−0.5)/σ=1.5922; p=2·sf(z)=0.11134688653314041.
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    assert.equal(r.u, 17);
    close(r.p, 0.11134688653314041);
  });

  it('applies the tie correction (with and without continuity)', () => {
    // x=[1,2,2,3,3,3,5], y=[2,3,4,4,5,6,6,7]: tie groups of 3 (value 2), 4 (value 3), 2 (4), 2 (5), 2 (6);
    // scipy: U=10, p=0.03971608699701135 (continuity) and 0.034391422578817415 (without).
    const x = [1, 2, 2, 3, 3, 3, 5];
    const y = [2, 3, 4, 4, 5, 6, 6, 7];
    const a = mannWhitneyU(x, y);
    assert.equal(a.u, 10);
    close(a.p, 0.03971608699701135);
    close(mannWhitneyU(x, y, false).p, 0.034391422578817415);
    assert.ok(a.z < 0, 'x tends to be smaller than y');
  });

  it('says nothing (p = 1) about identical or empty samples', () => {
    assert.equal(mannWhitneyU([5, 5, 5], [5, 5, 5]).p, 1);
    assert.equal(mannWhitneyU([], [1, 2]).p, 1);
  });
});

describe('two-proportion z-test', () => {
  it('matches the pooled z and two-sided p', () => {
    // 83/100 vs 67/100: pooled 0.75, se=√(0.75·0.25·0.02)=0.061237, z=0.16/se=2.612789058968722, p=0.008980671241898852.
    const r = twoProportionZ(83, 100, 67, 100);
    close(r.z, 2.612789058968722);
    close(r.p, 0.008980671241898852);
    // 5/200 vs 1/200: z=1.6453801395794543, p=0.09989144258502237.
    const s = twoProportionZ(5, 200, 1, 200);
    close(s.z, 1.6453801395794543);
    close(s.p, 0.09989144258502237);
  });

  it('gives p = 1 when both rates are 0 or a sample is empty', () => {
    assert.equal(twoProportionZ(0, 50, 0, 50).p, 1);
    assert.equal(twoProportionZ(1, 0, 0, 10).p, 1);
  });
});

describe('helpers', () => {
  it('normal tail and quantiles', () => {
    close(normalSf(1.959963984540054), 0.025); // the 97.5 % quantile of N(0,1)
    close(normalSf(0), 0.5);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5); // numpy.quantile([1,2,3,4], 0.5)
    close(quantile([10, 20, 30, 40, 50], 0.95), 48); // numpy: 40 + 0.8·10
  });
});
