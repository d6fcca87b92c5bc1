import { z } from 'zod';
import { validate } from '@orchestra/learning-types';
import { forEachBootstrapResample, percentileInterval } from './bootstrap';
import { assertOverlap, describeSample, prepareSample, type PolicyValueEstimate } from './estimate-policy-value';
import type { OffPolicyEvaluationOptionsInput } from './off-policy-evaluation-options';
import type { OffPolicyRecord } from './off-policy-record';
import { SeededRandom } from '../networks/seeded-random';

/** An off-policy estimate set against the rewards the same policy actually earned when it was run. */
export interface OnPolicyCheck {
  estimate: PolicyValueEstimate;
  /** Mean of the on-policy rewards and its bootstrap interval. */
  observed: { value: number; lower: number; upper: number; sampleSize: number };
  /** estimate − observed, with a two-sample bootstrap interval (both logs resampled independently). */
  difference: { value: number; lower: number; upper: number };
  /** True when the difference interval contains 0: the estimate agrees with what really happened. */
  consistent: boolean;
}

/**
 * Checks an estimator against ground truth: `records` evaluate a policy on logs of another policy, and
 * `onPolicyRewards` are the rewards that policy earned when it was actually deployed (e.g. the Open Bandit
 * Dataset's uniform-random logs). Both sources are noisy, so the verdict uses the interval of their difference.
 */
export function checkAgainstOnPolicyRewards(
  records: readonly OffPolicyRecord[],
  onPolicyRewards: ArrayLike<number>,
  options?: OffPolicyEvaluationOptionsInput & { policy?: string },
): OnPolicyCheck {
  const policy = options?.policy ?? 'target';
  const { sample, options: parsed } = prepareSample(records, options, 'off-policy records');
  const rewards = Float64Array.from(validate(z.array(z.number().finite()).min(1), Array.from(onPolicyRewards), 'on-policy rewards'));
  assertOverlap(sample, parsed, policy);
  const estimateReplicates = new Float64Array(parsed.replicates);
  const observedReplicates = new Float64Array(parsed.replicates);
  forEachBootstrapResample(sample.size, parsed.replicates, parsed.seed, (indices, replicate) => {
    estimateReplicates[replicate] = sample.estimate(parsed.estimator, indices);
  });
  // An independent stream for the second log, so the two resamples are independent.
  const random = new SeededRandom(parsed.seed ^ 0x5bd1e995);
  for (let replicate = 0; replicate < parsed.replicates; replicate += 1) {
    let sum = 0;
    for (let draw = 0; draw < rewards.length; draw += 1) sum += rewards[random.integer(rewards.length)]!;
    observedReplicates[replicate] = sum / rewards.length;
  }
  const estimateInterval = percentileInterval(estimateReplicates, parsed.confidence);
  const observedInterval = percentileInterval(observedReplicates, parsed.confidence);
  const differenceInterval = percentileInterval(
    estimateReplicates.map((value, replicate) => value - observedReplicates[replicate]!),
    parsed.confidence,
  );
  const observed = rewards.reduce((sum, reward) => sum + reward, 0) / rewards.length;
  const value = sample.estimate(parsed.estimator);
  return {
    estimate: {
      policy,
      estimator: parsed.estimator,
      value,
      lower: estimateInterval.lower,
      upper: estimateInterval.upper,
      confidence: parsed.confidence,
      standardError: estimateInterval.standardError,
      ...describeSample(sample),
    },
    observed: { value: observed, lower: observedInterval.lower, upper: observedInterval.upper, sampleSize: rewards.length },
    difference: { value: value - observed, lower: differenceInterval.lower, upper: differenceInterval.upper },
    consistent: differenceInterval.lower <= 0 && differenceInterval.upper >= 0,
  };
}
