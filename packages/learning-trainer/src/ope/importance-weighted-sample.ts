import type { OffPolicyEstimator, OffPolicyRecord } from './off-policy-record';

/**
 * Logged records in columns (rewards, importance weights w = π/μ and the optional reward-model estimates), so the
 * estimators and thousands of bootstrap replicates run over typed arrays without allocating.
 */
export class ImportanceWeightedSample {
  readonly size: number;
  readonly rewards: Float64Array;
  /** Importance weights π(a|s) / μ(a|s), after the optional clipping. */
  readonly weights: Float64Array;
  /** Importance weights before clipping (the overlap diagnostics use these). */
  readonly rawWeights: Float64Array;
  /** Σ_a π(a|s) q̂(s, a) per record, when every record has one. */
  readonly directMethodEstimates: Float64Array | undefined;
  /** q̂(s, a_logged) per record, when every record has one. */
  readonly loggedActionEstimates: Float64Array | undefined;

  private constructor(records: readonly OffPolicyRecord[], maximumWeight: number) {
    const size = records.length;
    this.size = size;
    this.rewards = new Float64Array(size);
    this.weights = new Float64Array(size);
    this.rawWeights = new Float64Array(size);
    const hasDirectMethod = size > 0 && records.every((record) => record.directMethodEstimate !== undefined && record.loggedActionEstimate !== undefined);
    this.directMethodEstimates = hasDirectMethod ? new Float64Array(size) : undefined;
    this.loggedActionEstimates = hasDirectMethod ? new Float64Array(size) : undefined;
    for (let index = 0; index < size; index += 1) {
      const record = records[index]!;
      const weight = record.targetProbability / record.propensity;
      this.rewards[index] = record.reward;
      this.rawWeights[index] = weight;
      this.weights[index] = Math.min(weight, maximumWeight);
      if (this.directMethodEstimates !== undefined && this.loggedActionEstimates !== undefined) {
        this.directMethodEstimates[index] = record.directMethodEstimate!;
        this.loggedActionEstimates[index] = record.loggedActionEstimate!;
      }
    }
  }

  /** Builds the columns from already validated records; weights above `maximumWeight` are clipped to it. */
  static fromRecords(records: readonly OffPolicyRecord[], maximumWeight = Number.POSITIVE_INFINITY): ImportanceWeightedSample {
    return new ImportanceWeightedSample(records, maximumWeight);
  }

  /** True when every record carries both reward-model estimates, so the doubly robust estimator can run. */
  get supportsDoublyRobust(): boolean {
    return this.directMethodEstimates !== undefined;
  }

  /**
   * The estimate of the target policy's expected reward. With `indices` (a bootstrap resample: record positions,
   * repeats allowed) the estimate is computed on that resample instead of the records in order.
   * Self-normalised IPS of a resample whose weights are all zero is NaN (no information).
   */
  estimate(estimator: OffPolicyEstimator, indices?: Int32Array): number {
    const count = indices === undefined ? this.size : indices.length;
    if (count === 0) return Number.NaN;
    const { rewards, weights } = this;
    switch (estimator) {
      case 'inverse-propensity-scoring': {
        let sum = 0;
        for (let position = 0; position < count; position += 1) {
          const index = indices === undefined ? position : indices[position]!;
          sum += weights[index]! * rewards[index]!;
        }
        return sum / count;
      }
      case 'self-normalized-inverse-propensity-scoring': {
        let weighted = 0;
        let total = 0;
        for (let position = 0; position < count; position += 1) {
          const index = indices === undefined ? position : indices[position]!;
          const weight = weights[index]!;
          weighted += weight * rewards[index]!;
          total += weight;
        }
        return total > 0 ? weighted / total : Number.NaN;
      }
      case 'doubly-robust': {
        const direct = this.directMethodEstimates;
        const logged = this.loggedActionEstimates;
        if (direct === undefined || logged === undefined) return Number.NaN;
        let sum = 0;
        for (let position = 0; position < count; position += 1) {
          const index = indices === undefined ? position : indices[position]!;
          sum += direct[index]! + weights[index]! * (rewards[index]! - logged[index]!);
        }
        return sum / count;
      }
    }
  }

  /** Kish effective sample size (Σw)² / Σw² of the unclipped weights; 0 when every weight is 0. */
  effectiveSampleSize(): number {
    return effectiveSampleSize(this.rawWeights);
  }

  /** Mean unclipped weight: ≈ 1 when the target policy's mass lies where the logging policy explored. */
  meanWeight(): number {
    let sum = 0;
    for (const weight of this.rawWeights) sum += weight;
    return this.size === 0 ? Number.NaN : sum / this.size;
  }

  /** Largest unclipped weight. */
  maximumWeight(): number {
    let maximum = 0;
    for (const weight of this.rawWeights) if (weight > maximum) maximum = weight;
    return maximum;
  }
}

/**
 * Kish effective sample size (Σw)² / Σw²: how many equally weighted records the weighted sample is worth.
 * Returns 0 for an empty sample or all-zero weights.
 */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let sum = 0;
  let sumOfSquares = 0;
  for (let index = 0; index < weights.length; index += 1) {
    const weight = weights[index]!;
    sum += weight;
    sumOfSquares += weight * weight;
  }
  return sumOfSquares > 0 ? (sum * sum) / sumOfSquares : 0;
}
