import { describe, expect, it } from 'vitest';
import { PSquareQuantile } from './p-square-quantile';
import { createRandom } from './test-support/experience-factory';

function exactQuantile(values: number[], quantile: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
}

describe('PSquareQuantile', () => {
  it('is exact for up to five observations', () => {
    const median = new PSquareQuantile(0.5);
    expect(median.value()).toBeNull();
    for (const value of [5, 1, 3]) median.add(value);
    expect(median.value()).toBe(3);
  });

  it.each([0.5, 0.95])('tracks the %s quantile of skewed latencies within 3 %% of the exact value', (quantile) => {
    const random = createRandom(42);
    const values: number[] = [];
    const estimator = new PSquareQuantile(quantile);
    for (let index = 0; index < 50_000; index += 1) {
      // Log-normal-ish latencies: most fast, a long slow tail.
      const value = Math.exp(7 + 0.8 * (random() + random() + random() - 1.5) * 2);
      values.push(value);
      estimator.add(value);
    }
    const exact = exactQuantile(values, quantile);
    expect(Math.abs(estimator.value()! - exact) / exact).toBeLessThan(0.03);
  });

  it('handles sorted input and repeated values', () => {
    const estimator = new PSquareQuantile(0.95);
    for (let index = 1; index <= 10_000; index += 1) estimator.add(index);
    expect(Math.abs(estimator.value()! - 9_500) / 9_500).toBeLessThan(0.01);
    const constant = new PSquareQuantile(0.5);
    for (let index = 0; index < 1_000; index += 1) constant.add(7);
    expect(constant.value()).toBe(7);
  });

  it('rejects quantiles outside (0, 1)', () => {
    expect(() => new PSquareQuantile(1)).toThrow(RangeError);
  });
});
