import type { PolicyComparison } from '@orchestra/learning-policy';
import { ValidationError } from '@orchestra/learning-types';
import { forEachBootstrapResample, percentileInterval } from './bootstrap';
import { assertOverlap, prepareSample, summariseEstimate, type PolicyValueEstimate } from './estimate-policy-value';
import type { OffPolicyEvaluationOptionsInput } from './off-policy-evaluation-options';
import type { OffPolicyEstimator, OffPolicyRecord } from './off-policy-record';

/**
 * The bootstrap estimators' comparison of a target policy with a baseline on the same logs: the artifact format's
 * `PolicyComparison` (the deploy gate's input; the policy package owns its schema) with the fields they always fill.
 */
export interface BootstrapComparison extends PolicyComparison {
  estimator: OffPolicyEstimator;
  confidence: number;
  replicates: number;
  seed: number;
  sampleSize: number;
  target: PolicyValueEstimate;
  baseline: PolicyValueEstimate;
  /** target − baseline, with the paired bootstrap interval (both estimated on the same resamples). */
  difference: { value: number; lower: number; upper: number; standardError: number };
  /** True when the lower bound of the difference is above 0: the target beats the baseline at `confidence`. */
  targetBeatsBaseline: boolean;
}

/**
 * Compares two policies on the same logged decisions. `target[i]` and `baseline[i]` describe the same logged
 * record (same reward and logging propensity), each with its own policy's probability of the logged action (and
 * reward-model estimates for doubly robust). The interval of the difference comes from a paired bootstrap: each
 * resample evaluates both policies on the same records, so the noise they share cancels.
 *
 * @throws ValidationError when the records are invalid or not aligned.
 * @throws InsufficientOverlapError when either policy has too small an effective sample on these logs.
 */
export function comparePolicyValues(
  target: readonly OffPolicyRecord[],
  baseline: readonly OffPolicyRecord[],
  options?: OffPolicyEvaluationOptionsInput & { targetName?: string; baselineName?: string },
): BootstrapComparison {
  const targetName = options?.targetName ?? 'target';
  const baselineName = options?.baselineName ?? 'baseline';
  const prepared = prepareSample(target, options, 'target off-policy records');
  const baselineSample = prepareSample(baseline, options, 'baseline off-policy records').sample;
  const { sample: targetSample, options: parsed } = prepared;
  if (baselineSample.size !== targetSample.size) {
    throw new ValidationError({
      what: 'baseline off-policy records',
      issues: [{ path: '', message: `must describe the same ${targetSample.size} logged records as the target (got ${baselineSample.size})` }],
      value: baseline.length,
    });
  }
  for (let index = 0; index < targetSample.size; index += 1) {
    if (target[index]!.reward !== baseline[index]!.reward || target[index]!.propensity !== baseline[index]!.propensity) {
      throw new ValidationError({
        what: 'baseline off-policy records',
        issues: [{ path: `${index}`, message: 'reward and propensity must equal those of the target record at the same position' }],
        value: baseline[index],
      });
    }
  }
  assertOverlap(targetSample, parsed, targetName);
  assertOverlap(baselineSample, parsed, baselineName);

  const targetReplicates = new Float64Array(parsed.replicates);
  const baselineReplicates = new Float64Array(parsed.replicates);
  const differenceReplicates = new Float64Array(parsed.replicates);
  forEachBootstrapResample(targetSample.size, parsed.replicates, parsed.seed, (indices, replicate) => {
    const targetValue = targetSample.estimate(parsed.estimator, indices);
    const baselineValue = baselineSample.estimate(parsed.estimator, indices);
    targetReplicates[replicate] = targetValue;
    baselineReplicates[replicate] = baselineValue;
    differenceReplicates[replicate] = targetValue - baselineValue;
  });

  const targetEstimate = summariseEstimate(targetName, targetSample, targetReplicates, parsed);
  const baselineEstimate = summariseEstimate(baselineName, baselineSample, baselineReplicates, parsed);
  const differenceInterval = percentileInterval(differenceReplicates, parsed.confidence);
  return {
    estimator: parsed.estimator,
    confidence: parsed.confidence,
    replicates: parsed.replicates,
    seed: parsed.seed,
    sampleSize: targetSample.size,
    target: targetEstimate,
    baseline: baselineEstimate,
    difference: {
      value: targetEstimate.value - baselineEstimate.value,
      lower: differenceInterval.lower,
      upper: differenceInterval.upper,
      standardError: differenceInterval.standardError,
    },
    targetBeatsBaseline: differenceInterval.lower > 0,
  };
}
