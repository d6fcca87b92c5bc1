import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { ReplayTable } from './replay-table';

/** How a replay scores a task: reward = success − costWeight × costUsd / referenceCostUsd. */
export interface ReplayScoring {
  /** What spending `referenceCostUsd` on a task is worth in successes (0: success only). */
  readonly costWeight: number;
  /** The cost unit: the mean cost per task of the table's most expensive model on the train tasks. */
  readonly referenceCostUsd: number;
}

/** The task-level reward of a replay (in success units). */
export function replayReward(success: number, costUsd: number, scoring: ReplayScoring): number {
  return success - (scoring.costWeight * costUsd) / scoring.referenceCostUsd;
}

/** The mean cost per task of the model that costs most on average over `tasks` (the replay's cost unit). */
export function referenceCostOf(table: ReplayTable, tasks: readonly number[]): number {
  const models = table.modelIds.length;
  let reference = 0;
  for (let model = 0; model < models; model += 1) {
    let sum = 0;
    let count = 0;
    for (const task of tasks) {
      const cost = table.costUsd[task * models + model]!;
      if (Number.isNaN(cost)) continue;
      sum += cost;
      count += 1;
    }
    if (count > 0) reference = Math.max(reference, sum / count);
  }
  return reference > 0 ? reference : 1;
}

/** The most a task's ladder of at most `maxLadder` models can cost in the table (caps the reward's cost term). */
export function maxLadderCostOf(table: ReplayTable, maxLadder: number): number {
  const models = table.modelIds.length;
  let maximum = 0;
  const costs: number[] = [];
  for (let task = 0; task < table.tasks.length; task += 1) {
    costs.length = 0;
    for (let model = 0; model < models; model += 1) {
      const cost = table.costUsd[task * models + model]!;
      if (!Number.isNaN(cost)) costs.push(cost);
    }
    costs.sort((left, right) => right - left);
    let sum = 0;
    for (let rung = 0; rung < Math.min(maxLadder, costs.length); rung += 1) sum += costs[rung]!;
    maximum = Math.max(maximum, sum);
  }
  return maximum;
}

/**
 * The replay's reward in the reward package's own terms, so that recorded sessions are scored (and the trainer
 * normalises them) exactly as real ones: a completed session +100, a failed one −100, and −200 × costWeight /
 * referenceCostUsd per USD (`cost.perUsd`, capped at `costCapUsd`); every other term off. The stored total is
 * 200 × (success − costWeight × cost / reference) − 100: an affine image of `replayReward`.
 */
export function replayRewardConfig(scoring: ReplayScoring, costCapUsd: number): RewardConfigInput {
  return {
    session: { timeEfficiencyWeight: 0, noFailedStepsBonus: 0, failedStepPenalty: 0 },
    cost: {
      cheapSessionBonus: 0,
      expensiveSessionPenalty: 0,
      cheapModelSuccessBonus: 0,
      expensiveModelOverusePenalty: 0,
      fallbackRotationPenalty: 0,
      ...(scoring.costWeight === 0 ? {} : { perUsd: (-200 * scoring.costWeight) / scoring.referenceCostUsd }),
    },
    caps: { costUsd: Math.max(costCapUsd, Number.MIN_VALUE) },
  };
}
