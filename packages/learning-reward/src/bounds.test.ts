import { describe, expect, it } from 'vitest';
import { denormalizeReward, normalizeReward, rewardBounds } from './bounds';
import { RewardRangeError } from './errors/reward-range-error';

describe('rewardBounds', () => {
  it('derives the session bounds from the default weights and caps', () => {
    // max: 100 + 50 + 10·10 + 0 + 0 + 20 + 15; min: −100 − 20 + 0 − 5·10 − 10·10 + 10 − 10·10
    expect(rewardBounds().session).toEqual({ min: -360, max: 285 });
  });

  it('derives the experience bounds', () => {
    // max: 100 + 20 + 10 + 15 + 10 + 10 + 5 + 50 + 100; min: −100 + 0 + 0 − 100 + 0 − 150 + 0 − 20 − 50 − 100
    expect(rewardBounds().experience).toEqual({ min: -520, max: 320 });
  });

  it('follows the configuration', () => {
    expect(rewardBounds({ caps: { cheapModelSuccesses: 0 } }).session.max).toBe(185);
  });

  it('normalises linearly and round-trips', () => {
    const bounds = { min: -100, max: 300 };
    expect(normalizeReward(-100, bounds)).toBe(-1);
    expect(normalizeReward(300, bounds)).toBe(1);
    expect(normalizeReward(100, bounds)).toBe(0);
    expect(denormalizeReward(normalizeReward(42, bounds), bounds)).toBeCloseTo(42, 10);
  });

  it('never clamps silently: a reward outside its bounds is an error', () => {
    expect(() => normalizeReward(301, { min: -100, max: 300 })).toThrow(RewardRangeError);
    expect(() => normalizeReward(Number.NaN, { min: -100, max: 300 })).toThrow(RewardRangeError);
  });
});
