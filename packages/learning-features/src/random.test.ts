import { describe, expect, it } from 'vitest';
import { createRng } from './random';

describe('createRng', () => {
  it('repeats a stream for a seed and differs across seeds', () => {
    const first = createRng(42);
    const second = createRng(42);
    const other = createRng(43);
    const a = Array.from({ length: 5 }, () => first.next());
    expect(Array.from({ length: 5 }, () => second.next())).toEqual(a);
    expect(Array.from({ length: 5 }, () => other.next())).not.toEqual(a);
  });

  it('stays in [0, 1) with a uniform mean and resumes from a saved state', () => {
    const random = createRng(7);
    let sum = 0;
    let outside = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const value = random.next();
      if (!(value >= 0 && value < 1)) outside += 1;
      sum += value;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    const saved = random.state();
    const resumed = createRng(0, saved);
    expect(resumed.next()).toBe(random.next());
    const bins = new Array(6).fill(0);
    for (let index = 0; index < 60_000; index += 1) bins[random.nextInt(6)] += 1;
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
