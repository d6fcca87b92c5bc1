import type { LearnedPolicyOptions, RulesPolicy } from '@orchestra/learning-policy';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { normalCdf, type Experience } from '@orchestra/learning-types';
import { parseTrainerConfig, type TrainerConfigInput } from '../config/trainer-config';
import { buildExperienceDataset } from '../offline/experience-dataset';
import { fitLinearCritic } from '../offline/linear-critic';
import { criticPartOptions } from '../offline/train-offline';
import { rulesGreedyIndices } from '../offline/rules-strata';
import { compareWithCritic, gateFoldOf, type CriticGateComparison } from './critic-gate';
import { judgedPolicyOptions, loadGatePolicies, type GateJudgement } from './evaluate-model-artifact';
import { groupSequentialBound, medianUnbiasedEstimate, oneSidedBound, pocockErrorSpent, type SequentialLook } from './group-sequential';

/** Options of `regateCandidate`. */
export interface RegateCandidateOptions {
  /**
   * Logs recorded while the candidate explored: every one after the candidate was trained (so none of their rewards
   * chose its actions), in shadow mode with the candidate acting on `candidateShare` of sessions and every
   * propensity the exact mixture of the candidate and the rules — or, with `baselineDirectory`, in production mode,
   * the mixture of the candidate and the deployed model.
   */
  logs: readonly Experience[];
  /** Older logs (before the candidate explored): with the other fold of `logs`, they fit the direct method. */
  reference: readonly Experience[];
  /** Share of sessions the candidate acted on while `logs` were recorded. */
  candidateShare: number;
  /**
   * Which look at this candidate this is (1 = the first after the gate at training). Look j spends `alpha / 2^(j+1)`
   * of the one-sided error rate (its lower bound errs under the null with that probability, given the earlier looks
   * did not stop): all re-looks together at most `alpha / 2`.
   */
  look: number;
  /**
   * Twice the one-sided error rate all re-looks together may spend (default 0.05): by look index, the first spends
   * half of it and every further look half of what the one before spent; with `spending`, by information fraction.
   */
  alpha?: number;
  /**
   * Spend by information fraction instead of by look index (Lan–DeMets): by a look on n fresh logs, the candidate's
   * looks have spent `pocockErrorSpent(alpha / 2, n / plannedLogs)` in all; this look spends that less `spentBefore`,
   * what the earlier looks spent (the sum of their `spend`). A thin look then spends little and looking often costs
   * no error; once `plannedLogs` logs were looked at, the budget is spent. The bound is not floored at an earlier
   * look's: the spend already accounts for how much more this look saw.
   *
   * @throws RangeError (from `regateCandidate`) when nothing is left to spend (the logs did not grow past the
   * fraction the earlier looks spent up to).
   */
  spending?: { plannedLogs: number; spentBefore: number };
  /**
   * The earlier looks at this candidate (`look − 1` of them, in order), each with its `information` and applied
   * `bound` (this comparison's `information` and `bound`; null for one whose logs did not support the candidate). With
   * them, the bound is the exact group-sequential one (`groupSequentialBound`): the looks are cumulative on the same
   * logs, so it is lower than the Bonferroni bound Φ⁻¹(1 − spend) at the same total error. Without them (or when the
   * information did not grow by `MINIMUM_INFORMATION_GROWTH` at every look), the Bonferroni bound. Never below an
   * earlier look's bound.
   */
  earlierLooks?: readonly SequentialLook[];
  /** How the candidate served while it explored and would be deployed (as `LearnedPolicy.load` takes it). */
  learnedPolicy?: LearnedPolicyOptions;
  /**
   * Whether an `argmax` candidate (and a deployed baseline model) is judged by its greedy decisions (default) or
   * with its ε (`GateJudgement`, as at training).
   */
  judge?: GateJudgement;
  /** The baseline; default the greedy rules of the candidate's catalog. */
  rules?: RulesPolicy;
  /**
   * The deployed model the candidate challenged (it acted on `candidateShare` of production sessions in its place):
   * the baseline is then that model, loaded as `learnedPolicy` serves it, instead of the rules.
   */
  baselineDirectory?: string;
  /** The trainer configuration (its gate critic's ridge and context factors). */
  config?: TrainerConfigInput;
  rewardConfig?: RewardConfigInput;
  /**
   * Importance-weight clip (default 10, the gate's); never below the bound the exploration design puts on supported
   * weights, 1 / (candidateShare · (1 − ε)), so a small share's weights are not clipped where the logs support them.
   */
  weightClip?: number;
}

/** The verdict of a re-look: the gate's comparison on the exploration logs, with how it was made. */
export interface RegateComparison extends CriticGateComparison {
  kind: 'regate';
  look: number;
  /**
   * 1 / SE² of the difference's sampling error: what the next look's `earlierLooks` carries for this one. Null when
   * that SE is 0 or not finite (the next looks then use the Bonferroni bound).
   */
  information: number | null;
  /** The z the lower bound used (`confidence` is the two-sided confidence of that z). */
  bound: number;
  /** `group-sequential` when the earlier looks were given and usable, else `bonferroni`. */
  boundMethod: 'group-sequential' | 'bonferroni';
  /** The one-sided error rate this look spent (its lower bound errs under the null with that probability, given the earlier looks did not stop). */
  spend: number;
  /** How the spend was set: by look index (`alpha / 2^(look+1)`) or by information fraction (`spending`). */
  spending: 'look' | 'information';
  /**
   * For a look whose lower bound is above 0 (where the sequence of looks stops), the difference's median-unbiased
   * estimate given the earlier looks (`medianUnbiasedEstimate`, stagewise ordering): after earlier looks that did not
   * pass, the naive `difference.value` is biased upward (the candidate is looked at again until it is high enough);
   * this is not. `difference.value` itself for a look that does not stop, at a first look, and when the earlier looks
   * were not given or their information did not grow.
   */
  medianUnbiasedValue: number;
  /** Logs the candidate was valued on and how many of them it acted on. */
  freshLogs: number;
  candidateActed: number;
  referenceLogs: number;
  /**
   * True when the logs support every action of the candidate (every one recorded in the mode where it acted —
   * shadow, or production against a `baselineDirectory` — and no importance weight above 1/`candidateShare`): the
   * interval then holds without the critic's uncertainty.
   */
  supported: boolean;
}

/**
 * Re-gates an exploration candidate on the logs recorded while it acted on a share of shadow sessions (against the
 * rules), or of production sessions (against the deployed model, `baselineDirectory`). Those logs
 * support its actions (propensity ≥ share · π_candidate), so the doubly robust estimate needs no clipping and is
 * unbiased whatever its direct method; the interval is then the sampling error of the per-state differences alone
 * (`criticUncertainty: 'none'`), at the look's confidence. When the logs do not support it (another mode, a weight
 * above 1/share), the critic's uncertainty is added as at training. The direct method is the gate's linear critic,
 * cross-fitted: fold k is fitted on `reference` plus the logs of the other fold (`gateFoldOf`).
 *
 * @throws ModelArtifactError when the artifact cannot be loaded; RangeError on an empty `logs` or a bad share/look.
 */
export async function regateCandidate(directory: string, options: RegateCandidateOptions): Promise<RegateComparison> {
  const { logs, reference, candidateShare, look } = options;
  if (logs.length === 0) throw new RangeError('regateCandidate: no logs recorded while the candidate explored');
  if (!(candidateShare > 0 && candidateShare <= 1)) throw new RangeError(`regateCandidate: candidateShare must be in (0, 1], got ${candidateShare}`);
  if (!Number.isInteger(look) || look < 1) throw new RangeError(`regateCandidate: look must be a positive integer, got ${look}`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`regateCandidate: alpha must be in (0, 1), got ${alpha}`);
  const spend = lookSpend(alpha, look, logs.length, options.spending);
  const config = parseTrainerConfig(options.config ?? {});
  const judged = judgedPolicyOptions(options.learnedPolicy, options.judge);
  const { candidate, baseline, actionSpace } = await loadGatePolicies(directory, { learnedPolicy: judged, rules: options.rules, baselineDirectory: options.baselineDirectory });
  const exploredIn = options.baselineDirectory === undefined ? 'shadow' : 'production';
  const all = [...reference, ...logs];
  const dataset = buildExperienceDataset(all, { actionSpace, ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }) });
  const fresh = new Set(logs.map((experience) => experience.id));
  const foldOfId = new Map(logs.map((experience) => [experience.id, gateFoldOf(experience)]));
  const rowsWithout = (fold: 0 | 1) => {
    const rows: number[] = [];
    for (let row = 0; row < dataset.size; row++) {
      const id = dataset.ids[row]!;
      if (!fresh.has(id) || foldOfId.get(id) !== fold) rows.push(row);
    }
    return Int32Array.from(rows);
  };
  const strata = config.offline.criticStrata === 'rules' ? rulesGreedyIndices(all, dataset, actionSpace) : undefined;
  const criticOptions = {
    effectRidge: config.offline.gateCriticEffectRidge,
    contextRidgeFactor: config.offline.criticContextRidgeFactor,
    ...criticPartOptions(config, dataset.rewardNormalisation),
    ...(strata === undefined ? {} : { strata }),
  };
  const none = new Int32Array(0);
  const folds = [fitLinearCritic(dataset, actionSpace, rowsWithout(0), none, criticOptions), fitLinearCritic(dataset, actionSpace, rowsWithout(1), none, criticOptions)] as const;
  // Support: the logger was the mixture (the mode the candidate acted in) and no weight exceeds what the candidate's
  // share bounds it by — for its greedy decisions, judged while it explored with ε, the share of them it took:
  // share × (1 − ε). Weights within that bound are never clipped (a share below 1 / (clip · (1 − ε)) would otherwise
  // clip supported weights and bias the estimate it calls unbiased); one clipped just above it marks the logs unsupported.
  const exploredEpsilon = judged !== options.learnedPolicy ? (options.learnedPolicy?.epsilon ?? 0) : 0;
  const designBound = 1 / (candidateShare * (1 - exploredEpsilon));
  const weightBound = designBound * (1 + 1e-9);
  const weightClip = Math.max(options.weightClip ?? 10, designBound * (1 + 1e-6));
  const compare = (criticUncertainty: 'added' | 'none', confidence: number) =>
    compareWithCritic({
      critic: { folds },
      actionSpace,
      normalisation: dataset.rewardNormalisation,
      candidate,
      baseline,
      logs,
      confidence,
      weightClip,
      criticUncertainty,
    });
  const sampled = compare('none', 0.95);
  const supported = logs.every((experience) => experience.mode === exploredIn) && sampled.target.maximumWeight <= weightBound;
  const inverse = 1 / sampled.difference.samplingStandardError ** 2;
  const information = Number.isFinite(inverse) && inverse > 0 ? inverse : null;
  const { z, confidence, method } = lookBound(options.earlierLooks, look, information, spend, options.spending === undefined);
  const comparison = compare(supported ? 'none' : 'added', confidence);
  const candidateActed = logs.filter((experience) => experience.policy.version === candidate.name).length;
  return {
    ...comparison,
    kind: 'regate',
    look,
    information,
    // Only where the sequence stops: the estimate's adjustment is defined there, and it costs seconds on a long sequence.
    medianUnbiasedValue: comparison.targetBeatsBaseline ? medianUnbiasedOf(options.earlierLooks, look, information, comparison.difference.value) : comparison.difference.value,
    bound: z,
    boundMethod: method,
    spend,
    spending: options.spending === undefined ? 'look' : 'information',
    freshLogs: logs.length,
    candidateActed,
    referenceLogs: reference.length,
    supported,
  };
}

/** `medianUnbiasedEstimate` given the earlier looks, or the estimate itself when they are missing or unusable. */
function medianUnbiasedOf(earlier: readonly SequentialLook[] | undefined, look: number, information: number | null, estimate: number): number {
  if (earlier === undefined || earlier.length !== look - 1 || information === null || !Number.isFinite(estimate)) return estimate;
  try {
    return medianUnbiasedEstimate(earlier, information, estimate);
  } catch (error) {
    if (error instanceof RangeError) return estimate; // information that did not grow enough, or a bad earlier bound
    throw error;
  }
}

/** Below this, a look has nothing left to spend. */
const MINIMUM_SPEND = 1e-9;

/** The one-sided error look `look` spends: by look index, or by the information fraction of `logs` fresh logs (`spending`). */
function lookSpend(alpha: number, look: number, logs: number, spending: RegateCandidateOptions['spending']): number {
  if (spending === undefined) return alpha / 2 ** (look + 1);
  const { plannedLogs, spentBefore } = spending;
  if (!(Number.isFinite(plannedLogs) && plannedLogs > 0)) throw new RangeError(`regateCandidate: spending.plannedLogs must be finite and positive, got ${plannedLogs}`);
  if (!(Number.isFinite(spentBefore) && spentBefore >= 0)) throw new RangeError(`regateCandidate: spending.spentBefore must be finite and non-negative, got ${spentBefore}`);
  const spend = pocockErrorSpent(alpha / 2, logs / plannedLogs) - spentBefore;
  if (!(spend >= MINIMUM_SPEND)) {
    throw new RangeError(`regateCandidate: nothing left to spend: ${logs} of ${plannedLogs} planned logs allow ${pocockErrorSpent(alpha / 2, logs / plannedLogs)} in all, and the earlier looks spent ${spentBefore}`);
  }
  return spend;
}

/**
 * The z of look `look`'s lower bound and its two-sided confidence: exact group-sequential given the earlier looks
 * (`floored`, when spending by look index: at the highest earlier bound, so a look on barely more logs never passes
 * more easily than the one before; spending by information, a look on barely more logs spends barely anything), else
 * Bonferroni (confidence 1 − 2 · spend).
 */
function lookBound(
  earlier: readonly SequentialLook[] | undefined,
  look: number,
  information: number | null,
  spend: number,
  floored: boolean,
): { z: number; confidence: number; method: RegateComparison['boundMethod'] } {
  const bonferroni = { z: oneSidedBound(spend), confidence: 1 - 2 * spend, method: 'bonferroni' as const };
  if (earlier === undefined || earlier.length !== look - 1 || information === null) return bonferroni;
  let exact: number;
  try {
    exact = groupSequentialBound(earlier, information, spend);
  } catch (error) {
    if (error instanceof RangeError) return bonferroni; // information that did not grow enough, or a bad earlier bound
    throw error;
  }
  const z = floored ? Math.max(exact, ...earlier.map(({ bound }) => bound ?? -Infinity)) : exact;
  const confidence = 1 - 2 * (1 - normalCdf(z));
  // Beyond the CDF's resolution (a z above ~5) the confidence rounds to 1: keep the Bonferroni bound there.
  return confidence < 1 && z < bonferroni.z ? { z, confidence, method: 'group-sequential' } : bonferroni;
}
