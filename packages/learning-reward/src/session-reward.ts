import { parseSessionState, type EnhancedSessionState, type RewardBreakdown } from '@orchestra/learning-types';
import { BreakdownBuilder, addCostTerms, type CostFacts } from './components';
import { resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';
import { rewardTierOf } from './model-tier';

/** Reads the cost facts of a session: total cost, cheap-tier successes, expensive-tier uses, fallback rotations. */
export function sessionCostFacts(state: EnhancedSessionState, config: RewardConfig): CostFacts {
  let cheapModelSuccesses = 0;
  let expensiveModelUses = 0;
  for (const step of state.workflow) {
    for (const usage of step.attempts) {
      const tier = rewardTierOf(usage.modelId, config);
      if (usage.success && tier === 'cheap') cheapModelSuccesses += 1;
      if (tier === 'expensive') expensiveModelUses += 1;
    }
  }
  return {
    totalCostUsd: state.globalMetrics.totalCostEstimate,
    cheapModelSuccesses,
    expensiveModelUses,
    fallbackRotations: state.globalMetrics.fallbackRotations,
  };
}

/**
 * The seed's session reward (`calculateReward`): ±100 for a completed/failed session, the four cost terms,
 * time efficiency (average latency below 30 s → 1.0, else 0.5) × 20, and +15 without failed steps or −10 per
 * failed step. Returns the total and the components it is the exact sum of.
 *
 * @throws ValidationError naming the offending field when `state` is not a valid `EnhancedSessionState`.
 * @throws SchemaVersionError when `state` was written by a newer schema version.
 */
export function sessionReward(state: unknown, config?: RewardConfigInput | RewardConfig): RewardBreakdown {
  return parsedSessionReward(parseSessionState(state), config);
}

/**
 * `sessionReward` of a session already in its parsed form (`parseSessionState`'s output, e.g. one the collector or
 * an ingest validated): the same breakdown, without validating the session again.
 */
export function parsedSessionReward(session: EnhancedSessionState, config?: RewardConfigInput | RewardConfig): RewardBreakdown {
  const resolved = resolveRewardConfig(config);
  const weights = resolved.session;
  const builder = new BreakdownBuilder();

  const outcome =
    session.phase === 'completed' ? weights.completed : session.phase === 'failed' ? weights.failed : weights.inProgress;
  builder.add('outcome', outcome);

  addCostTerms(builder, sessionCostFacts(session, resolved), resolved);

  const efficiency =
    session.globalMetrics.avgLatencyMs < weights.fastLatencyMs ? weights.fastTimeEfficiency : weights.slowTimeEfficiency;
  builder.add('timeEfficiency', efficiency * weights.timeEfficiencyWeight);

  const failedSteps = session.workflow.filter((step) => step.status === 'failed').length;
  const countedFailures = builder.cap('failedSteps', failedSteps, resolved.caps.failedSteps);
  builder.add('failedSteps', failedSteps === 0 ? weights.noFailedStepsBonus : countedFailures * weights.failedStepPenalty);

  return builder.build('session', resolved);
}
