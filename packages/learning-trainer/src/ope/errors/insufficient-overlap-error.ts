import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraInsufficientOverlapError';

/** Which overlap test failed. */
export type InsufficientOverlapReason =
  /** A few records with huge importance weights would decide the estimate (effective sample size too small). */
  | 'effective-sample-size'
  /**
   * The policy puts much of its probability on actions the logging policy never takes: the mean importance weight
   * (an unbiased estimate of the policy's mass on the logger's support) is clearly below the required share.
   */
  | 'unsupported-mass';

/**
 * The logged data cannot say anything reliable about a policy: it puts its probability mass on actions the logging
 * policy (almost) never took. Detected through the effective sample size (Kish: (Σw)² / Σw²) of the importance weights
 * w = π/μ, and through their mean (E_μ[w] = the policy's probability mass on actions the logger can take).
 */
export class InsufficientOverlapError extends OrchestraError {
  /** Name of the policy being evaluated. */
  readonly policy: string;
  readonly reason: InsufficientOverlapReason;
  readonly effectiveSampleSize: number;
  /** The effective sample size the evaluation requires (the larger of the absolute and the relative minimum). */
  readonly requiredEffectiveSampleSize: number;
  readonly sampleSize: number;
  /** Largest importance weight π/μ among the records. */
  readonly maximumWeight: number;
  /** Mean importance weight: the estimated share of the policy's probability on actions the logger takes. */
  readonly meanWeight: number;

  constructor({
    policy,
    reason,
    effectiveSampleSize,
    requiredEffectiveSampleSize,
    sampleSize,
    maximumWeight,
    meanWeight,
    requiredSupportedMass,
  }: {
    policy: string;
    reason: InsufficientOverlapReason;
    effectiveSampleSize: number;
    requiredEffectiveSampleSize: number;
    sampleSize: number;
    maximumWeight: number;
    meanWeight: number;
    requiredSupportedMass: number;
  }) {
    const detail =
      reason === 'effective-sample-size'
        ? `effective sample size ${effectiveSampleSize.toFixed(1)} of ${sampleSize} records is below the required ` +
          `${requiredEffectiveSampleSize.toFixed(1)} (largest importance weight ${maximumWeight.toPrecision(4)})`
        : `only about ${(100 * meanWeight).toFixed(0)}% of its probability (mean importance weight over ${sampleSize} ` +
          `records) falls on actions the logging policy takes; at least ${(100 * requiredSupportedMass).toFixed(0)}% is required`;
    super({
      name,
      code: 'ORCHESTRA_INSUFFICIENT_OVERLAP',
      message:
        `Cannot evaluate policy "${policy}" on these logs: ${detail}. The policy chooses actions the logging policy ` +
        'rarely or never took; collect logs with more exploration before trusting an estimate.',
    });
    this.policy = policy;
    this.reason = reason;
    this.effectiveSampleSize = effectiveSampleSize;
    this.requiredEffectiveSampleSize = requiredEffectiveSampleSize;
    this.sampleSize = sampleSize;
    this.maximumWeight = maximumWeight;
    this.meanWeight = meanWeight;
  }

  static override isInstance(error: unknown): error is InsufficientOverlapError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
