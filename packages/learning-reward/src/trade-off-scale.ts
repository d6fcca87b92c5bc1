import { resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';

/** What a success and a dollar are worth in a reward configuration (the scale of the cost–quality knob). */
export interface TradeOffScale {
  /** Reward points between a success and a failure of the experience reward (`experience.success − experience.failure`). */
  successValue: number;
  /**
   * Reward points one USD of session cost is worth: the session-cost terms' slope between their thresholds,
   * `(cheapSessionBonus − expensiveSessionPenalty) / (expensiveSessionUsd − cheapSessionUsd)` (0 when the thresholds
   * do not span a range), plus `−cost.perUsd` when the linear cost term is set.
   */
  usdValue: number;
}

/**
 * The trade-off scale of a reward configuration: the default reward gives `{ successValue: 200, usdValue: 175 }`
 * (a success +100 vs a failure −100; the session cost moves the reward by 50 + 20 points between 0.10 and 0.50 USD).
 * A learned policy's cost–quality knob prices predicted success and cost with it.
 */
export function tradeOffScale(config?: RewardConfigInput | RewardConfig): TradeOffScale {
  const resolved = resolveRewardConfig(config);
  const cost = resolved.cost;
  const span = cost.expensiveSessionUsd - cost.cheapSessionUsd;
  const slope = span > 0 ? (cost.cheapSessionBonus - cost.expensiveSessionPenalty) / span : 0;
  return { successValue: resolved.experience.success - resolved.experience.failure, usdValue: slope - (cost.perUsd ?? 0) };
}
