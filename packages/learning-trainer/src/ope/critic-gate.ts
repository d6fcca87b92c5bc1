import type { ActionSpace } from '@orchestra/learning-features';
import { stableUnitHash, type PolicyInput } from '@orchestra/learning-policy';
import { twoSidedNormalQuantile, type Action, type Experience } from '@orchestra/learning-types';
import type { RewardNormalization } from '../offline/experience-dataset';
import { LinearCriticScorer, meanGainDeviation, type LinearCritic } from '../offline/linear-critic';
import { denormaliseTotal } from '../offline/q-distillation';
import { defaultRulesActionOf } from '../offline/rules-strata';
import type { PolicyValueEstimate } from './estimate-policy-value';
import { policyInputOf } from './evaluated-policy-from-policy';

/** A policy as the critic gate sees it: what it would do in a logged state, and how likely the logged action was. */
export interface GatePolicy {
  readonly name: string;
  decide(input: PolicyInput): { action: Action };
  probabilityOf(action: Action, input: PolicyInput): number;
}

/** One policy's estimated value on the logs (reward units): the estimators' `PolicyValueEstimate`, doubly robust. */
export type CriticGateEstimate = PolicyValueEstimate;

/** The deploy gate's verdict from the critic: candidate vs baseline on the held-out logs. */
export interface CriticGateComparison {
  estimator: 'doubly-robust';
  /** The direct method: the linear critic fitted on the training rows (never on these logs). */
  directMethod: 'linear-critic';
  confidence: number;
  sampleSize: number;
  target: CriticGateEstimate;
  baseline: CriticGateEstimate;
  /**
   * Candidate − baseline: the mean of the per-state doubly robust differences, and an interval that adds the
   * critic's posterior uncertainty about the mean gain to the sampling error of the states.
   */
  difference: { value: number; lower: number; upper: number; standardError: number; samplingStandardError: number; criticStandardError: number };
  /** Share of the held-out states where the candidate acts differently from the baseline. */
  changedShare: number;
  /** True when the lower bound of the difference is above 0. */
  targetBeatsBaseline: boolean;
}

/** Options of `compareWithCritic`. */
export interface CompareWithCriticOptions {
  /**
   * The direct method. One critic, or two cross-fitted ones: `folds[k]` was fitted without the held-out logs of
   * fold k (`gateFoldOf(experience.id) === k`) and values only those, so no log is judged by a critic that saw its
   * reward.
   */
  critic: LinearCritic | { readonly folds: readonly [LinearCritic, LinearCritic] };
  actionSpace: ActionSpace;
  /** How the critic's units map to rewards (the training run's reward normalisation). */
  normalisation: RewardNormalization;
  candidate: GatePolicy;
  baseline: GatePolicy;
  /** Held-out experiences (encoded with the critic's feature schema). */
  logs: readonly Experience[];
  /** Two-sided confidence of the intervals (default 0.95). */
  confidence?: number;
  /** Upper clip of importance weights (default 10). */
  weightClip?: number;
  /**
   * Whether the critic's posterior uncertainty about the mean gain is added to the interval (default `added`). It
   * stands for what the logs cannot correct: a candidate's action the logger never takes is valued by the critic
   * alone. `none` is for logs that support every action of the candidate — the logger acted like it on a known share
   * of sessions, so no importance weight is clipped and the doubly robust estimate is unbiased whatever the critic.
   */
  criticUncertainty?: 'added' | 'none';
}

/**
 * The cross-fitting fold (0 or 1) of a held-out log: a stable hash of its session id (else its experience id), so
 * the same logs fall in the same folds on every run.
 */
export function gateFoldOf(experience: { readonly id: string; readonly sessionId?: string | undefined }): 0 | 1 {
  return stableUnitHash(`gate-fold:${experience.sessionId ?? experience.id}`) < 0.5 ? 0 : 1;
}


function meanAndError(values: readonly number[]): { mean: number; standardError: number } {
  const count = values.length;
  let mean = 0;
  for (const value of values) mean += value;
  mean /= Math.max(1, count);
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  return { mean, standardError: count > 1 ? Math.sqrt(variance / (count - 1) / count) : Infinity };
}

/**
 * The deploy gate with the critic as the direct method (doubly robust): for every held-out state s_i with logged
 * action a_i, reward r_i and propensity μ_i, a policy π is valued at
 *
 *     Q̂(s_i, π(s_i)) + min(π(a_i|s_i)/μ_i, clip) · (r_i − Q̂(s_i, a_i))
 *
 * so the critic fills in what the logs cannot show and the logged rewards correct it where the policy agrees with
 * the logger. The interval of the difference adds two independent errors: the sampling error of the per-state
 * differences, and the critic's posterior uncertainty about the mean gain of the candidate's actions over the
 * baseline's (which no resampling of states reveals). The candidate passes when the lower bound is above 0.
 */
export function compareWithCritic(options: CompareWithCriticOptions): CriticGateComparison {
  const { actionSpace, normalisation, candidate, baseline, logs } = options;
  const critics = 'folds' in options.critic ? options.critic.folds : [options.critic, options.critic];
  const scorers = critics.map((critic) => new LinearCriticScorer(critic, actionSpace));
  // A stratified critic scores every state with the default rules' action there, as it was fitted.
  const stratified = critics.some((critic) => critic.stratified === true);
  const stratumOf = stratified ? defaultRulesActionOf(actionSpace) : undefined;
  if (stratified && stratumOf === undefined) throw new RangeError('compareWithCritic: the critic is stratified by the default rules, which cannot act in this action space');
  const confidence = options.confidence ?? 0.95;
  const clip = options.weightClip ?? 10;
  const z = twoSidedNormalQuantile(confidence);
  const scale = denormaliseTotal(1, normalisation) - denormaliseTotal(0, normalisation);
  const targetValues: number[] = [];
  const baselineValues: number[] = [];
  const differences: number[] = [];
  const gains: Array<Array<{ state: ArrayLike<number>; from: Int32Array; to: Int32Array; stratum?: Int32Array }>> = [[], []];
  const weights = { target: [] as number[], baseline: [] as number[] };
  let changed = 0;
  for (const experience of logs) {
    const input = policyInputOf(experience);
    const state = experience.state.features;
    const fold = gateFoldOf(experience);
    const scorer = scorers[fold]!;
    const stratum = stratumOf?.(input);
    scorer.setState(state, stratum);
    const logged = actionSpace.encode(experience.action);
    const targetAction = actionSpace.encode(candidate.decide(input).action);
    const baselineAction = actionSpace.encode(baseline.decide(input).action);
    const loggedValue = scorer.predict(logged);
    const residual = experience.reward.total - denormaliseTotal(loggedValue, normalisation);
    const targetWeight = Math.min(clip, candidate.probabilityOf(experience.action, input) / experience.propensity);
    const baselineWeight = Math.min(clip, baseline.probabilityOf(experience.action, input) / experience.propensity);
    const targetValue = denormaliseTotal(scorer.predict(targetAction), normalisation) + targetWeight * residual;
    const baselineValue = denormaliseTotal(scorer.predict(baselineAction), normalisation) + baselineWeight * residual;
    targetValues.push(targetValue);
    baselineValues.push(baselineValue);
    differences.push(targetValue - baselineValue);
    weights.target.push(targetWeight);
    weights.baseline.push(baselineWeight);
    let differs = false;
    for (let head = 0; head < targetAction.length; head++) if (targetAction[head] !== baselineAction[head]) differs = true;
    if (differs) {
      changed += 1;
      gains[fold]!.push({ state, from: baselineAction, to: targetAction, ...(stratum === undefined ? {} : { stratum }) });
    }
  }
  // The critics' posterior uncertainty about the mean gain, per fold, weighted by each fold's share of the logs
  // (added as if the two folds' errors were perfectly correlated: the conservative choice).
  let criticDeviation = 0;
  if (options.criticUncertainty !== 'none') for (let fold = 0; fold < 2; fold++) criticDeviation += Math.abs(scale) * meanGainDeviation(critics[fold]!, actionSpace, gains[fold]!) * (gains[fold]!.length / Math.max(1, logs.length));
  const estimate = (policy: string, values: number[], policyWeights: number[]): CriticGateEstimate => {
    const { mean, standardError } = meanAndError(values);
    let weightSum = 0;
    let weightSquares = 0;
    let maximumWeight = 0;
    for (const weight of policyWeights) {
      weightSum += weight;
      weightSquares += weight * weight;
      maximumWeight = Math.max(maximumWeight, weight);
    }
    return {
      policy,
      estimator: 'doubly-robust' as const,
      value: mean,
      lower: mean - z * standardError,
      upper: mean + z * standardError,
      confidence,
      standardError,
      effectiveSampleSize: weightSquares > 0 ? (weightSum * weightSum) / weightSquares : 0,
      sampleSize: values.length,
      meanWeight: weightSum / Math.max(1, values.length),
      maximumWeight,
    };
  };
  const sampling = meanAndError(differences);
  const standardError = Math.sqrt(sampling.standardError ** 2 + criticDeviation ** 2);
  const lower = sampling.mean - z * standardError;
  return {
    estimator: 'doubly-robust',
    directMethod: 'linear-critic',
    confidence,
    sampleSize: logs.length,
    target: estimate(candidate.name, targetValues, weights.target),
    baseline: estimate(baseline.name, baselineValues, weights.baseline),
    difference: { value: sampling.mean, lower, upper: sampling.mean + z * standardError, standardError, samplingStandardError: sampling.standardError, criticStandardError: criticDeviation },
    changedShare: changed / Math.max(1, logs.length),
    targetBeatsBaseline: Number.isFinite(lower) && lower > 0,
  };
}
