export { rewardConfigSchema, defaultRewardConfig, resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';
export { sessionReward, parsedSessionReward, sessionCostFacts } from './session-reward';
export { experienceReward, outcomeCostFacts, userSatisfactionOf } from './experience-reward';
export { rewardBounds, normalizeReward, denormalizeReward, type RewardBounds } from './bounds';
export { rewardConfigVersion, costUsdCap, DEFAULT_COST_USD_CAP, type CostFacts } from './components';
export { matchesModel, rewardTierOf } from './model-tier';
export {
  modelPriceSchema,
  priceTableSchema,
  defaultPriceTable,
  findModelPrice,
  tokenCost,
  priceSession,
  type ModelPrice,
  type PriceTable,
  type TokenCounts,
} from './price-table';
export { RewardRangeError } from './errors/reward-range-error';
export { UnknownModelPriceError } from './errors/unknown-model-price-error';
export { applyOutcomePatch, outcomeRewardDelta } from './outcome-patch';
export { tradeOffScale, type TradeOffScale } from './trade-off-scale';
