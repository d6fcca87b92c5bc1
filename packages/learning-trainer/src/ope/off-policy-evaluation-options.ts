import { z } from 'zod';
import { offPolicyEstimatorSchema } from './off-policy-record';

/** Options of `estimatePolicyValue`, `comparePolicyValues` and `evaluate`; every field has a default. */
export const offPolicyEvaluationOptionsSchema = z.object({
  estimator: offPolicyEstimatorSchema.default('self-normalized-inverse-propensity-scoring'),
  /** Two-sided confidence level of the percentile bootstrap intervals. */
  confidence: z.number().gt(0).lt(1).default(0.95),
  /** Number of bootstrap resamples. */
  replicates: z.number().int().min(100).max(100_000).default(1000),
  /** Seed of the bootstrap resampling: the same seed gives the same interval. */
  seed: z.number().int().default(1),
  /** Refuse (InsufficientOverlapError) when the effective sample size is below this many records... */
  minimumEffectiveSampleSize: z.number().nonnegative().default(30),
  /** ...or below this fraction of the records, whichever is larger. */
  minimumEffectiveSampleFraction: z.number().min(0).max(1).default(0.01),
  /**
   * Refuse when clearly less than this share of the policy's probability falls on actions the logging policy takes
   * (mean importance weight + 2 standard errors below it): e.g. a policy evaluated on logs of deterministic rules.
   */
  minimumSupportedMass: z.number().min(0).max(1).default(0.9),
  /** Clip importance weights at this value (clipped IPS: less variance, some bias). Default: no clipping. */
  maximumWeight: z.number().positive().optional(),
});
export type OffPolicyEvaluationOptions = z.output<typeof offPolicyEvaluationOptionsSchema>;
export type OffPolicyEvaluationOptionsInput = z.input<typeof offPolicyEvaluationOptionsSchema>;
