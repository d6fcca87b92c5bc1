import { ValidationError, type Experience } from '@orchestra/learning-types';
import { comparePolicyValues, type BootstrapComparison } from './compare-policy-values';
import type { OffPolicyEvaluationOptionsInput } from './off-policy-evaluation-options';
import type { OffPolicyRecord } from './off-policy-record';

/** A policy as off-policy evaluation sees it: how likely it is to repeat each logged action. */
export interface EvaluatedPolicy {
  /** Shown in results and errors, e.g. `learned-v3` or `rules`. */
  readonly name: string;
  /** Probability in [0, 1] that this policy chooses `experience.action` in `experience.state` (1 or 0 if deterministic). */
  probability(experience: Experience): number;
  /**
   * The reward model's expected reward of this policy in the experience's state, Σ_a π(a|s) q̂(s, a).
   * Needed only for the doubly robust estimator.
   */
  expectedReward?(experience: Experience): number;
}

/** Options of `evaluate` and `offPolicyRecordsFromExperiences`. */
export interface ExperienceEvaluationOptions extends OffPolicyEvaluationOptionsInput {
  /** The reward model's prediction q̂(s, a_logged) of an experience's logged action (doubly robust only). */
  rewardModel?: (experience: Experience) => number;
}

/**
 * Turns experiences into estimator records for one policy: reward = `reward.total`, propensity = the logged
 * `propensity`, targetProbability = `policy.probability(experience)`, plus the reward-model estimates when both
 * the policy's `expectedReward` and `rewardModel` are given.
 *
 * @throws ValidationError when the policy returns a probability outside [0, 1] (or a non-finite estimate).
 */
export function offPolicyRecordsFromExperiences(
  experiences: readonly Experience[],
  policy: EvaluatedPolicy,
  rewardModel?: (experience: Experience) => number,
): OffPolicyRecord[] {
  const withDirectMethod = rewardModel !== undefined && policy.expectedReward !== undefined;
  return experiences.map((experience, index) => {
    const targetProbability = policy.probability(experience);
    if (!(targetProbability >= 0 && targetProbability <= 1)) {
      throw new ValidationError({
        what: `probabilities of policy "${policy.name}"`,
        issues: [{ path: `${index}`, message: `probability of the logged action must be in [0, 1], got ${targetProbability} (experience ${experience.id})` }],
        value: targetProbability,
      });
    }
    const record: OffPolicyRecord = { reward: experience.reward.total, propensity: experience.propensity, targetProbability };
    if (withDirectMethod) {
      record.directMethodEstimate = policy.expectedReward!(experience);
      record.loggedActionEstimate = rewardModel(experience);
    }
    return record;
  });
}

/**
 * The deploy gate: estimates a learned policy and a baseline (normally the rules) on the same logged experiences and
 * says whether the learned policy's lower bound beats the baseline (paired bootstrap interval of the difference
 * above 0).
 *
 * @throws InsufficientOverlapError when the logs cannot evaluate one of the policies (too small an effective sample).
 * @throws ValidationError on invalid probabilities, options or missing doubly robust estimates.
 */
export function evaluate(
  target: EvaluatedPolicy,
  baseline: EvaluatedPolicy,
  logs: readonly Experience[],
  options: ExperienceEvaluationOptions = {},
): BootstrapComparison {
  const { rewardModel, ...evaluationOptions } = options;
  return comparePolicyValues(
    offPolicyRecordsFromExperiences(logs, target, rewardModel),
    offPolicyRecordsFromExperiences(logs, baseline, rewardModel),
    { ...evaluationOptions, targetName: target.name, baselineName: baseline.name },
  );
}
