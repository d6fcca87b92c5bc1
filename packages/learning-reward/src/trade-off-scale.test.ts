import { describe, expect, it } from 'vitest';
import { tradeOffScale } from './trade-off-scale';

describe('tradeOffScale', () => {
  it('reads what a success and a dollar are worth from the reward configuration', () => {
    expect(tradeOffScale()).toEqual({ successValue: 200, usdValue: 175 });
    expect(tradeOffScale({ cost: { perUsd: -100 } })).toEqual({ successValue: 200, usdValue: 275 });
    expect(tradeOffScale({ experience: { success: 50, failure: -50 }, cost: { cheapSessionBonus: 0, expensiveSessionPenalty: 0 } })).toEqual({ successValue: 100, usdValue: 0 });
    expect(tradeOffScale({ cost: { cheapSessionUsd: 1, expensiveSessionUsd: 1 } }).usdValue).toBe(0);
  });
});
