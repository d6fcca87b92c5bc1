/**
 * The reward scale the learned policy's cost–quality knob re-scores model choices on (defaults: the default reward
 * of `@orchestra/learning-reward`):
 * - `successValue`: reward points between a success and a failure (default 200: +100 vs −100);
 * - `usdValue`: reward points one USD of session cost is worth at cost weight 1 (default 175: the default reward's
 *   session-cost terms move by 50 + 20 points between 0.10 and 0.50 USD);
 * - `rewardPerLogit`: reward points per logit unit, for `selection: 'sample'` (default 10; the knob shifts the
 *   logits of model choices by −(w − 1)·usdValue·Δcost / rewardPerLogit).
 */
export interface CostKnobScale {
  readonly successValue: number;
  readonly usdValue: number;
  readonly rewardPerLogit: number;
}

/** The default `CostKnobScale`. */
export const defaultCostKnobScale: CostKnobScale = Object.freeze({ successValue: 200, usdValue: 175, rewardPerLogit: 10 });
