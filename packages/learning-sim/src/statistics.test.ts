import { describe, expect, it } from 'vitest';
import { meanWithInterval, pairedDifference, percentile } from './statistics';

describe('statistics', () => {
  it('gives the mean with a 95 % normal interval', () => {
    const result = meanWithInterval([1, 2, 3, 4, 5]);
    expect(result.mean).toBe(3);
    expect(result.standardError).toBeCloseTo(Math.sqrt(2.5 / 5), 12);
    expect(result.interval[0]).toBeCloseTo(3 - 1.96 * Math.sqrt(0.5), 2);
    expect(result.interval[1]).toBeCloseTo(3 + 1.96 * Math.sqrt(0.5), 2);
  });

  it('pairs differences task by task', () => {
    const result = pairedDifference([5, 6, 7], [4, 5, 6]);
    expect(result.mean).toBe(1);
    expect(result.interval).toEqual([1, 1]);
    expect(() => pairedDifference([1], [1, 2])).toThrow(RangeError);
  });

  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(Number.isNaN(percentile([], 0.5))).toBe(true);
  });
});
