import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../networks/seeded-random';
import { groupSequentialBound, medianUnbiasedEstimate, oneSidedBound, pocockErrorSpent, stagewiseExceedance, type SequentialLook } from './group-sequential';

/** Look j's one-sided spend with the re-looks' rate (0.1): 2.5 %, 1.25 %, 0.625 %, … */
const spend = (look: number) => 0.1 / 2 ** (look + 1);

/** The bounds of looks at `informations`, each computed from the ones before it. */
function bounds(informations: readonly number[]): SequentialLook[] {
  const looks: SequentialLook[] = [];
  for (const [index, information] of informations.entries()) looks.push({ information, bound: groupSequentialBound(looks, information, spend(index + 1)) });
  return looks;
}

describe('groupSequentialBound', () => {
  it('matches the exact bounds of equal increments (scipy multivariate_normal.cdf + brentq: 1.960, 2.058, 2.186, 2.332)', () => {
    const looks = bounds([1, 2, 3, 4]);
    expect(looks.map(({ bound }) => bound!.toFixed(3))).toEqual(['1.960', '2.058', '2.186', '2.332']);
    // Below Bonferroni's Φ⁻¹(1 − spend) from the second look on: 2.241, 2.498, 2.734.
    for (const [index, look] of looks.entries()) expect(look.bound!).toBeLessThanOrEqual(oneSidedBound(spend(index + 1)) + 1e-9);
    expect(oneSidedBound(spend(4))).toBeCloseTo(2.734, 3);
  });

  it('is the Bonferroni bound when no earlier look could stop', () => {
    const looks: SequentialLook[] = [
      { information: 3, bound: null },
      { information: 5, bound: null },
    ];
    expect(groupSequentialBound(looks, 9, spend(3))).toBeCloseTo(oneSidedBound(spend(3)), 4);
  });

  it('spends what it claims: simulated null paths at unequal information cross each look at its spend', () => {
    const informations = [40, 70, 160, 190, 400];
    const looks = bounds(informations);
    const random = new SeededRandom(7);
    const paths = 200_000;
    const crossed = new Array<number>(looks.length).fill(0);
    for (let path = 0; path < paths; path++) {
      let score = 0;
      let previous = 0;
      for (const [index, { information, bound }] of looks.entries()) {
        score += random.gaussian() * Math.sqrt(information - previous);
        previous = information;
        if (score / Math.sqrt(information) >= bound!) {
          crossed[index]!++;
          break;
        }
      }
    }
    for (const [index, count] of crossed.entries()) {
      const expected = spend(index + 1);
      // Within 4 binomial standard errors of the spend (Bonferroni bounds cross the later looks well below theirs).
      expect(Math.abs(count / paths - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / paths));
    }
  });

  it('refuses information that does not grow, and bad spends, with a RangeError', () => {
    expect(() => groupSequentialBound([{ information: 10, bound: 1.96 }], 10.05, spend(2))).toThrow(/does not grow/);
    expect(() => groupSequentialBound([{ information: 10, bound: 1.96 }], Number.NaN, spend(2))).toThrow(/finite and positive/);
    expect(() => groupSequentialBound([{ information: 10, bound: Number.POSITIVE_INFINITY }], 20, spend(2))).toThrow(/finite or null/);
    expect(() => groupSequentialBound([], 10, 0.6)).toThrow(RangeError);
  });
});

describe('pocockErrorSpent', () => {
  it('is the Lan–DeMets Pocock-type function: 0 at t = 0, the total at t ≥ 1, 45 % and 76 % of it at a third and two thirds', () => {
    expect(pocockErrorSpent(0.025, 0)).toBe(0);
    expect(pocockErrorSpent(0.025, 1)).toBeCloseTo(0.025, 15);
    expect(pocockErrorSpent(0.025, 3)).toBeCloseTo(0.025, 15);
    expect(pocockErrorSpent(0.025, 1 / 3) / 0.025).toBeCloseTo(0.4528, 4);
    expect(pocockErrorSpent(0.025, 2 / 3) / 0.025).toBeCloseTo(0.7634, 4);
    expect(() => pocockErrorSpent(0.6, 0.5)).toThrow(RangeError);
    expect(() => pocockErrorSpent(0.025, -0.1)).toThrow(RangeError);
    expect(() => pocockErrorSpent(0.025, Number.NaN)).toThrow(RangeError);
  });

  it('keeps the total error however often the logs are looked at: twelve looks at 100, 200, … of 1,200 planned logs cross 2.5 % under the null', () => {
    const looks: SequentialLook[] = [];
    let spent = 0;
    for (let look = 1; look <= 12; look++) {
      const total = pocockErrorSpent(0.025, (100 * look) / 1200);
      looks.push({ information: look, bound: groupSequentialBound(looks, look, total - spent) });
      spent = total;
    }
    // A thin first look asks much more than look-index spending's 1.960; the bounds then stay near Pocock's flat ~2.4.
    expect(looks[0]!.bound!).toBeGreaterThan(2.6);
    expect(looks[11]!.bound!).toBeLessThan(2.5);
    const random = new SeededRandom(11);
    const paths = 200_000;
    let crossed = 0;
    for (let path = 0; path < paths; path++) {
      let score = 0;
      for (const [index, { information, bound }] of looks.entries()) {
        score += random.gaussian() * Math.sqrt(information - index);
        if (score / Math.sqrt(information) >= bound!) {
          crossed++;
          break;
        }
      }
    }
    expect(Math.abs(crossed / paths - 0.025)).toBeLessThan(4 * Math.sqrt((0.025 * 0.975) / paths));
  });
});

describe('medianUnbiasedEstimate', () => {
  it('is the estimate itself at a first look, and when no earlier look could stop', () => {
    expect(medianUnbiasedEstimate([], 0.04, 12.5)).toBe(12.5);
    expect(medianUnbiasedEstimate([{ information: 0.01, bound: null }], 0.04, 12.5)).toBe(12.5);
  });

  it('lowers an estimate that passed after earlier looks did not, less so the more it passed by', () => {
    // SE 10 at the first look (bound 2.5), SE 5 at the second: +12 there is z 2.4.
    const earlier: SequentialLook[] = [{ information: 0.01, bound: 2.5 }];
    const low = medianUnbiasedEstimate(earlier, 0.04, 12);
    const high = medianUnbiasedEstimate(earlier, 0.04, 20);
    expect(low).toBeLessThan(12);
    expect(low).toBeGreaterThan(12 - 5);
    expect(high).toBeLessThan(20);
    expect(high).toBeGreaterThan(low);
    // It is where the stagewise exceedance is one half.
    expect(stagewiseExceedance(earlier, 0.04, 12, low)).toBeCloseTo(0.5, 6);
  });

  it('is median-unbiased: over simulated sequences of looks (stopping at the first crossing, else at the last look), the exceedance at the true difference is uniform', () => {
    const informations = [40, 70, 160];
    const looks = bounds(informations.slice(0, 2));
    const theta = 0.2;
    const random = new SeededRandom(5);
    const paths = 4_000;
    let atMostHalf = 0;
    let atMostTenth = 0;
    for (let path = 0; path < paths; path++) {
      let score = 0;
      let previous = 0;
      let stopped = informations.length - 1;
      let stopScore = 0;
      for (const [index, information] of informations.entries()) {
        score += theta * (information - previous) + random.gaussian() * Math.sqrt(information - previous);
        previous = information;
        stopScore = score;
        if (index < looks.length && score / Math.sqrt(information) >= looks[index]!.bound!) {
          stopped = index;
          break;
        }
      }
      const information = informations[stopped]!;
      const exceedance = stagewiseExceedance(looks.slice(0, stopped), information, stopScore / information, theta);
      if (exceedance <= 0.5) atMostHalf++;
      if (exceedance <= 0.1) atMostTenth++;
    }
    // The naive estimate (the earlier looks ignored) exceeds the true difference on 60 % of these sequences.
    expect(Math.abs(atMostHalf / paths - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / paths));
    expect(Math.abs(atMostTenth / paths - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / paths));
  });

  it('refuses a non-finite estimate and looks whose information does not grow, with a RangeError', () => {
    expect(() => medianUnbiasedEstimate([{ information: 10, bound: 2 }], 20, Number.NaN)).toThrow(/must be finite/);
    expect(() => medianUnbiasedEstimate([{ information: 10, bound: 2 }], 10.05, 1)).toThrow(/does not grow/);
    expect(() => stagewiseExceedance([], 10, 1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
