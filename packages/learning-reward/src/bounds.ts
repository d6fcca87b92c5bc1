import { costUsdCap } from './components';
import { resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';
import { RewardRangeError } from './errors/reward-range-error';

/** The smallest and largest total a reward function can return under a configuration. */
export interface RewardBounds {
  min: number;
  max: number;
}

type Range = [number, number];

const among = (...values: number[]): Range => [Math.min(...values), Math.max(...values)];
const counted = (weight: number, cap: number): Range => among(0, weight * cap);

function costRanges(config: RewardConfig): Range[] {
  const cost = config.cost;
  return [
    among(cost.cheapSessionBonus, 0, cost.expensiveSessionPenalty),
    counted(cost.cheapModelSuccessBonus, config.caps.cheapModelSuccesses),
    counted(cost.expensiveModelOverusePenalty, config.caps.expensiveModelOveruses),
    counted(cost.fallbackRotationPenalty, config.caps.fallbackRotations),
    counted(cost.perUsd ?? 0, costUsdCap(config)),
  ];
}

function sum(ranges: Range[]): RewardBounds {
  return ranges.reduce((bounds, [low, high]) => ({ min: bounds.min + low, max: bounds.max + high }), { min: 0, max: 0 });
}

/**
 * The true bounds of each reward function under `config`, derived from its weights and caps (the seed's stated
 * range [-100, +180] does not match its own formula; with the defaults `sessionReward` spans [-360, 285]).
 */
export function rewardBounds(config?: RewardConfigInput | RewardConfig): { session: RewardBounds; experience: RewardBounds } {
  const resolved = resolveRewardConfig(config);
  const session = resolved.session;
  const experience = resolved.experience;
  const caps = resolved.caps;
  return {
    session: sum([
      among(session.completed, session.failed, session.inProgress),
      ...costRanges(resolved),
      among(session.fastTimeEfficiency * session.timeEfficiencyWeight, session.slowTimeEfficiency * session.timeEfficiencyWeight),
      among(session.noFailedStepsBonus, session.failedStepPenalty, session.failedStepPenalty * caps.failedSteps),
    ]),
    experience: sum([
      among(experience.success, experience.failure),
      among(0, experience.timeEfficiencyCap * experience.timeEfficiencyWeight),
      among(0, experience.resourceEfficiencyWeight),
      among(experience.noErrorsBonus, experience.errorPenalty, experience.errorPenalty * caps.errors),
      among(0, experience.userSatisfactionWeight),
      among(
        experience.safetyAdherenceBonus,
        experience.safetyViolationPenalty,
        experience.safetyViolationPenalty * caps.safetyViolations,
      ),
      among(0, experience.testsPassedBonus),
      ...costRanges(resolved),
    ]),
  };
}

/**
 * Maps a reward linearly from `bounds` to [-1, 1] for training. Never clamps: a total outside the bounds (which
 * means the bounds and the reward come from different configurations) throws a `RewardRangeError`.
 */
export function normalizeReward(total: number, bounds: RewardBounds): number {
  const tolerance = 1e-9 * Math.max(1, Math.abs(bounds.min), Math.abs(bounds.max));
  if (!Number.isFinite(total) || total < bounds.min - tolerance || total > bounds.max + tolerance) {
    throw new RewardRangeError({ total, bounds });
  }
  if (bounds.max === bounds.min) return 0;
  const scaled = (2 * (total - bounds.min)) / (bounds.max - bounds.min) - 1;
  return Math.min(1, Math.max(-1, scaled)); // only rounding error can land outside after the check above
}

/** Inverse of `normalizeReward`. */
export function denormalizeReward(normalized: number, bounds: RewardBounds): number {
  return bounds.min + ((normalized + 1) / 2) * (bounds.max - bounds.min);
}
