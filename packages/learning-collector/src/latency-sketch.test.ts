import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencySketch } from './latency-sketch';

function sketchOf(values: readonly number[]): LatencySketch {
  const sketch = new LatencySketch();
  for (const value of values) sketch.add(value);
  return sketch;
}

const quantiles = [0, 0.05, 0.5, 0.95, 0.99, 1];

describe('LatencySketch', () => {
  it('estimates quantiles within 1 % of a value of that rank', () => {
    const values = Array.from({ length: 10_000 }, (_, index) => 10 + ((index * 7919) % 10_000) * 1.37);
    const sketch = sketchOf(values);
    const sorted = [...values].sort((left, right) => left - right);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.round(q * (sorted.length - 1))]!;
      expect(Math.abs(sketch.quantile(q)! - exact) / exact).toBeLessThanOrEqual(0.0101);
    }
    expect(new LatencySketch().quantile(0.5)).toBeNull();
  });

  it('merges exactly: split, serialised and merged in any grouping gives the quantiles of one sketch', () => {
    const latency = fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 600_000, noNaN: true }), fc.integer({ min: 0, max: 100_000 }));
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 200 }), fc.array(fc.nat(), { maxLength: 4 }), (values, cuts) => {
        const whole = sketchOf(values);
        const points = [...new Set(cuts.map((cut) => cut % values.length))].sort((left, right) => left - right);
        const bounds = [0, ...points, values.length];
        const merged = new LatencySketch();
        for (let index = bounds.length - 2; index >= 0; index -= 1) {
          const part = sketchOf(values.slice(bounds[index], bounds[index + 1]));
          merged.merge(LatencySketch.from(JSON.parse(JSON.stringify(part))));
        }
        expect(merged.count).toBe(values.length);
        expect(merged.toJSON()).toEqual(whole.toJSON());
        for (const q of quantiles) expect(merged.quantile(q)).toBe(whole.quantile(q));
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('refuses negative values and malformed states', () => {
    expect(() => new LatencySketch().add(-1)).toThrow(RangeError);
    expect(() => LatencySketch.from({ relativeAccuracy: 0.01, zeroCount: -1, keys: [], counts: [] })).toThrow();
    expect(() => LatencySketch.from({ relativeAccuracy: 0.01, zeroCount: 0, keys: [1, 2], counts: [1] })).toThrow();
    expect(() => LatencySketch.from({ relativeAccuracy: 0.02, zeroCount: 0, keys: [], counts: [] })).toThrow();
  });
});
