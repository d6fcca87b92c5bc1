import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraInsufficientOverlapError';

/**
 * The logged data cannot say anything reliable about a policy: it puts its probability mass on actions the logging
 * policy (almost) never took, so a handful of records with huge importance weights would decide the estimate.
 * Detected through the effective sample size (Kish: (Σw)² / Σw²) of the importance weights w = π/μ.
 */
export class InsufficientOverlapError extends OrchestraError {
  /** Name of the policy being evaluated. */
  readonly policy: string;
  readonly effectiveSampleSize: number;
  /** The effective sample size the evaluation requires (the larger of the absolute and the relative minimum). */
  readonly requiredEffectiveSampleSize: number;
  readonly sampleSize: number;
  /** Largest importance weight π/μ among the records. */
  readonly maximumWeight: number;

  constructor({
    policy,
    effectiveSampleSize,
    requiredEffectiveSampleSize,
    sampleSize,
    maximumWeight,
  }: {
    policy: string;
    effectiveSampleSize: number;
    requiredEffectiveSampleSize: number;
    sampleSize: number;
    maximumWeight: number;
  }) {
    super({
      name,
      code: 'ORCHESTRA_INSUFFICIENT_OVERLAP',
      message:
        `Cannot evaluate policy "${policy}" on these logs: effective sample size ${effectiveSampleSize.toFixed(1)} of ` +
        `${sampleSize} records is below the required ${requiredEffectiveSampleSize.toFixed(1)} (largest importance ` +
        `weight ${maximumWeight.toPrecision(4)}). The policy chooses actions the logging policy rarely or never took; ` +
        'collect logs with more exploration before trusting an estimate.',
    });
    this.policy = policy;
    this.effectiveSampleSize = effectiveSampleSize;
    this.requiredEffectiveSampleSize = requiredEffectiveSampleSize;
    this.sampleSize = sampleSize;
    this.maximumWeight = maximumWeight;
  }

  static override isInstance(error: unknown): error is InsufficientOverlapError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
