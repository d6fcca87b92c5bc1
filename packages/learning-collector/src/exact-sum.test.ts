import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum } from './exact-sum';

function sumOf(values: readonly number[]): number {
  const sum = new ExactSum();
  for (const value of values) sum.add(value);
  return sum.value();
}

describe('ExactSum', () => {
  it('is exact where naive addition is not', () => {
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
    expect(sumOf([0.1, 0.2, 0.3])).toBe(0.6);
    expect(sumOf([1e100, 1, -1e100])).toBe(1);
    expect(sumOf([])).toBe(0);
    expect(Object.is(sumOf([-0, -0]), 0)).toBe(true);
  });

  it('gives the same value in any order, split and merged in any grouping, and through JSON', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 60 }), fc.nat(), fc.nat(), (values, shift, cut) => {
        const whole = sumOf(values);
        const rotated = values.map((_, index) => values[(index + shift) % values.length]!);
        expect(sumOf(rotated)).toBe(whole);
        const at = values.length === 0 ? 0 : cut % (values.length + 1);
        const left = new ExactSum();
        const right = new ExactSum();
        values.slice(0, at).forEach((value) => left.add(value));
        values.slice(at).forEach((value) => right.add(value));
        const merged = ExactSum.from(JSON.parse(JSON.stringify(left.toJSON())) as number[]);
        merged.merge(ExactSum.from(JSON.parse(JSON.stringify(right.toJSON())) as number[]));
        expect(merged.value()).toBe(whole);
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('refuses non-finite numbers', () => {
    expect(() => new ExactSum().add(Number.NaN)).toThrow(RangeError);
  });
});
