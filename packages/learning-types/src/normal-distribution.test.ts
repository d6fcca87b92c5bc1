import { describe, expect, it } from 'vitest';
import { normalCdf, twoSidedNormalQuantile } from './normal-distribution';

describe('the normal distribution', () => {
  it('gives Φ at known points within the approximation error', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalCdf(3) + normalCdf(-3)).toBeCloseTo(1, 12);
  });

  it('inverts it for two-sided intervals and refuses a confidence outside (0, 1)', () => {
    expect(twoSidedNormalQuantile(0.95)).toBeCloseTo(1.959964, 5);
    expect(twoSidedNormalQuantile(0.975)).toBeCloseTo(2.241403, 5);
    expect(twoSidedNormalQuantile(0.6827)).toBeCloseTo(1, 3);
    expect(() => twoSidedNormalQuantile(1)).toThrow(RangeError);
    expect(() => twoSidedNormalQuantile(Number.NaN)).toThrow(/confidence/);
  });
});
