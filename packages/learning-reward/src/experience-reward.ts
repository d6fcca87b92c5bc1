import { parseOutcome, type Outcome, type RewardBreakdown } from '@orchestra/learning-types';
import { BreakdownBuilder, addCostTerms, type CostFacts } from './components';
import { resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';
import { rewardTierOf } from './model-tier';

/** Reads the cost facts of an outcome from its per-model totals. */
export function outcomeCostFacts(outcome: Outcome, config: RewardConfig): CostFacts {
  let cheapModelSuccesses = 0;
  let expensiveModelUses = 0;
  for (const model of outcome.models) {
    const tier = rewardTierOf(model.model, config);
    if (tier === 'cheap') cheapModelSuccesses += model.successes;
    if (tier === 'expensive') expensiveModelUses += model.attempts;
  }
  return {
    totalCostUsd: outcome.totalCostUsd,
    cheapModelSuccesses,
    expensiveModelUses,
    fallbackRotations: outcome.fallbackRotations,
  };
}

/** User satisfaction of an outcome: the given value, else 1 / (1 + user edits). */
export function userSatisfactionOf(outcome: Outcome): number {
  return outcome.userSatisfaction ?? 1 / (1 + outcome.userEdits);
}

/**
 * The seed's task-level reward: success ±100, time efficiency (estimated/actual, capped) × 20, resource efficiency
 * × 10, +15 without errors else −10 per error, user satisfaction × 10, safety +10 on adherence and −50 per
 * violation, +5 when tests passed, plus the four cost terms. Returns the total and its exact components.
 *
 * @throws ValidationError naming the offending field when `outcome` is not a valid `Outcome`.
 */
export function experienceReward(outcome: unknown, config?: RewardConfigInput | RewardConfig): RewardBreakdown {
  const parsed = parseOutcome(outcome);
  const resolved = resolveRewardConfig(config);
  const weights = resolved.experience;
  const builder = new BreakdownBuilder();

  builder.add('outcome', parsed.success ? weights.success : weights.failure);

  const ratio =
    parsed.durationMs <= 0
      ? weights.timeEfficiencyCap
      : Math.min(parsed.estimatedDurationMs / parsed.durationMs, weights.timeEfficiencyCap);
  builder.add('timeEfficiency', ratio * weights.timeEfficiencyWeight);
  builder.add('resourceEfficiency', parsed.resourceEfficiency * weights.resourceEfficiencyWeight);

  const errors = builder.cap('errors', parsed.errorCount, resolved.caps.errors);
  builder.add('errors', parsed.errorCount === 0 ? weights.noErrorsBonus : errors * weights.errorPenalty);
  builder.add('userSatisfaction', userSatisfactionOf(parsed) * weights.userSatisfactionWeight);

  const violations = builder.cap('safetyViolations', parsed.safetyViolations, resolved.caps.safetyViolations);
  builder.add('safety', parsed.safetyViolations === 0 ? weights.safetyAdherenceBonus : violations * weights.safetyViolationPenalty);
  builder.add('tests', parsed.testsPassed === true ? weights.testsPassedBonus : 0);

  addCostTerms(builder, outcomeCostFacts(parsed, resolved), resolved);
  return builder.build('outcome', resolved);
}
