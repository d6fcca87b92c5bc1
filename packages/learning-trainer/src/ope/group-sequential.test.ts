import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../networks/seeded-random';
import { groupSequentialBound, oneSidedBound, pocockErrorSpent, type SequentialLook } from './group-sequential';

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
