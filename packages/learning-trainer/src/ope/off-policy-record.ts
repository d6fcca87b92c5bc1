import { z } from 'zod';

/**
 * One logged decision as off-policy evaluation sees it, independent of what the decision was about: the reward
 * observed, the probability with which the logging policy chose the logged action, and the probability with which
 * the policy under evaluation would have chosen that same action in the same state.
 *
 * The two optional reward-model fields feed the doubly robust estimator:
 * `loggedActionEstimate` = q̂(s, a_logged), `directMethodEstimate` = Σ_a π(a|s) q̂(s, a) (the target policy's
 * expected reward in this state according to the reward model).
 */
export const offPolicyRecordSchema = z.object({
  reward: z.number().finite(),
  /** Logging policy's probability of the logged action, in (0, 1]. */
  propensity: z.number().gt(0).max(1),
  /** Target policy's probability of the logged action, in [0, 1]. */
  targetProbability: z.number().min(0).max(1),
  /** Reward model's expected reward of the target policy in this state (doubly robust only). */
  directMethodEstimate: z.number().finite().optional(),
  /** Reward model's prediction for the logged action in this state (doubly robust only). */
  loggedActionEstimate: z.number().finite().optional(),
});
export type OffPolicyRecord = z.infer<typeof offPolicyRecordSchema>;

/** The estimators `estimatePolicyValue` and `evaluate` offer. */
export const offPolicyEstimators = [
  /** Inverse propensity scoring: mean of w·r with w = π/μ. Unbiased, high variance. */
  'inverse-propensity-scoring',
  /** Self-normalised IPS: Σ w·r / Σ w. Slightly biased, much lower variance; the default. */
  'self-normalized-inverse-propensity-scoring',
  /** Doubly robust: mean of DM + w·(r − q̂). Unbiased if either the propensities or the reward model are right. */
  'doubly-robust',
] as const;
export const offPolicyEstimatorSchema = z.enum(offPolicyEstimators);
export type OffPolicyEstimator = z.infer<typeof offPolicyEstimatorSchema>;
