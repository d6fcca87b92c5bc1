import { validate, ValidationError } from '@orchestra/learning-types';
import { z } from 'zod';
import { forEachBootstrapResample, percentileInterval } from './bootstrap';
import { InsufficientOverlapError } from './errors/insufficient-overlap-error';
import { ImportanceWeightedSample } from './importance-weighted-sample';
import {
  offPolicyEvaluationOptionsSchema,
  type OffPolicyEvaluationOptions,
  type OffPolicyEvaluationOptionsInput,
} from './off-policy-evaluation-options';
import { offPolicyRecordSchema, type OffPolicyEstimator, type OffPolicyRecord } from './off-policy-record';

/** An off-policy estimate of one policy's expected reward, with its bootstrap interval and weight diagnostics. */
export interface PolicyValueEstimate {
  /** Name of the evaluated policy. */
  policy: string;
  estimator: OffPolicyEstimator;
  /** Point estimate of the expected reward per decision. */
  value: number;
  /** Percentile bootstrap interval at `confidence`. */
  lower: number;
  upper: number;
  confidence: number;
  /** Bootstrap standard error. */
  standardError: number;
  /** Kish effective sample size of the (unclipped) importance weights. */
  effectiveSampleSize: number;
  sampleSize: number;
  /** Mean unclipped importance weight: ≈ 1 when the policy stays where the logging policy explored. */
  meanWeight: number;
  maximumWeight: number;
}

const recordsSchema = z.array(offPolicyRecordSchema);

/** Validates records and options and builds the weighted sample; shared by the single and the paired estimate. */
export function prepareSample(
  records: readonly OffPolicyRecord[],
  options: OffPolicyEvaluationOptionsInput | undefined,
  what: string,
): { sample: ImportanceWeightedSample; options: OffPolicyEvaluationOptions } {
  const parsedOptions = validate(offPolicyEvaluationOptionsSchema, options ?? {}, 'off-policy evaluation options');
  const parsedRecords = validate(recordsSchema, records, what);
  if (parsedRecords.length === 0) {
    throw new ValidationError({ what, issues: [{ path: '', message: 'at least one logged record is needed' }], value: records });
  }
  const sample = ImportanceWeightedSample.fromRecords(parsedRecords, parsedOptions.maximumWeight);
  if (parsedOptions.estimator === 'doubly-robust' && !sample.supportsDoublyRobust) {
    const missing = parsedRecords.findIndex((record) => record.directMethodEstimate === undefined || record.loggedActionEstimate === undefined);
    const field = parsedRecords[missing]?.directMethodEstimate === undefined ? 'directMethodEstimate' : 'loggedActionEstimate';
    throw new ValidationError({
      what,
      issues: [{ path: `${missing}.${field}`, message: 'the doubly robust estimator needs reward-model estimates on every record' }],
      value: records[missing],
    });
  }
  return { sample, options: parsedOptions };
}

/**
 * Throws `InsufficientOverlapError` when the sample's effective sample size is below what the options require, or
 * when the mean importance weight shows that clearly less than `minimumSupportedMass` of the policy's probability
 * lies on actions the logging policy takes (mean + 2 standard errors still below it).
 */
export function assertOverlap(sample: ImportanceWeightedSample, options: OffPolicyEvaluationOptions, policy: string): void {
  const required = Math.max(options.minimumEffectiveSampleSize, options.minimumEffectiveSampleFraction * sample.size);
  const effective = sample.effectiveSampleSize();
  const meanWeight = sample.meanWeight();
  let sumOfSquares = 0;
  for (const weight of sample.rawWeights) sumOfSquares += (weight - meanWeight) ** 2;
  const standardError = Math.sqrt(sumOfSquares / Math.max(1, sample.size - 1) / sample.size);
  // Unsupported mass first: it is the more fundamental failure (no amount of data from this logger fixes it).
  const failure = meanWeight + 2 * standardError < options.minimumSupportedMass ? 'unsupported-mass' : !(effective >= required) ? 'effective-sample-size' : undefined;
  if (failure !== undefined) {
    throw new InsufficientOverlapError({
      policy,
      reason: failure,
      effectiveSampleSize: effective,
      requiredEffectiveSampleSize: required,
      sampleSize: sample.size,
      maximumWeight: sample.maximumWeight(),
      meanWeight,
      requiredSupportedMass: options.minimumSupportedMass,
    });
  }
}

/** The diagnostics part of an estimate, computed once per sample. */
export function describeSample(sample: ImportanceWeightedSample): Pick<PolicyValueEstimate, 'effectiveSampleSize' | 'sampleSize' | 'meanWeight' | 'maximumWeight'> {
  return {
    effectiveSampleSize: sample.effectiveSampleSize(),
    sampleSize: sample.size,
    meanWeight: sample.meanWeight(),
    maximumWeight: sample.maximumWeight(),
  };
}

/**
 * Estimates a target policy's expected reward from logged records (IPS, self-normalised IPS or doubly robust),
 * with a seeded percentile-bootstrap confidence interval.
 *
 * @throws ValidationError when a record or an option is invalid, or doubly robust lacks reward-model estimates.
 * @throws InsufficientOverlapError when the importance weights leave too small an effective sample.
 */
export function estimatePolicyValue(
  records: readonly OffPolicyRecord[],
  options?: OffPolicyEvaluationOptionsInput & { policy?: string },
): PolicyValueEstimate {
  const policy = options?.policy ?? 'target';
  const { sample, options: parsed } = prepareSample(records, options, 'off-policy records');
  assertOverlap(sample, parsed, policy);
  const replicates = new Float64Array(parsed.replicates);
  forEachBootstrapResample(sample.size, parsed.replicates, parsed.seed, (indices, replicate) => {
    replicates[replicate] = sample.estimate(parsed.estimator, indices);
  });
  return summariseEstimate(policy, sample, replicates, parsed);
}

/** One policy's estimate on its whole sample, with the percentile interval of its bootstrap `replicates`. */
export function summariseEstimate(
  policy: string,
  sample: ImportanceWeightedSample,
  replicates: Float64Array,
  options: OffPolicyEvaluationOptions,
): PolicyValueEstimate {
  const interval = percentileInterval(replicates, options.confidence);
  return {
    policy,
    estimator: options.estimator,
    value: sample.estimate(options.estimator),
    lower: interval.lower,
    upper: interval.upper,
    confidence: options.confidence,
    standardError: interval.standardError,
    ...describeSample(sample),
  };
}
