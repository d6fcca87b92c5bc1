import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ActionSpace } from '@orchestra/learning-features';
import { readModelArtifactFiles, writeModelArtifact, type ModelManifest, type PolicyComparison } from '@orchestra/learning-policy';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type * as Trainer from '@orchestra/learning-trainer';
import { twoSidedNormalQuantile, type Experience } from '@orchestra/learning-types';
import { TrainerUnavailableError } from './errors';
import type { CandidateModel } from './learning-state';
import type { ServedAs } from './train';
import type { TrainerModule } from './trainer-loader';

/** Fewer logs recorded while a candidate explored than this, and it is not re-gated yet. */
export const MINIMUM_REGATE_LOGS = 100;

/** A look by information fraction that would spend less than this one-sided error rate is not made (the logs barely grew). */
const MINIMUM_SPEND = 1e-6;

/**
 * Twice the one-sided error rate the first re-look spends (halved at every further look: look j spends 0.1/2^(j+1) —
 * 2.5 %, 1.25 %, 0.625 %, …). A re-look happens only with an exploration share, and then the gate at training never
 * deploys (`improve` deploys only on a re-look), so the whole one-sided error budget of the deploy gate, 5 %, is the
 * re-looks': at most 5 % in all however often the candidate is looked at. The looks are cumulative on the same logs,
 * so each look's bound is the exact group-sequential one for its spend given the earlier looks (1.960, 2.058, 2.186,
 * 2.332 for equal increments), not Bonferroni's (1.960, 2.241, 2.498, 2.734), at the same total error. That is per
 * candidate (`gateErrorBudget: 'candidate'`, the default); with `'run'` a candidate's looks spend its `alpha` instead,
 * its share of this rate over the whole data dir (`candidateErrorShare`), halved the same way.
 */
export const REGATE_ALPHA = 0.1;

/**
 * The share of the run's error budget (`gateErrorBudget: 'run'`) that the `index`-th candidate to explore (1, 2, …)
 * gets: 6/(π²·index²), which sums to 1 over every candidate a data dir will ever try.
 */
export function candidateErrorShare(index: number): number {
  if (!Number.isInteger(index) || index < 1) throw new RangeError(`candidateErrorShare: index must be a positive integer, got ${index}`);
  return 6 / (Math.PI ** 2 * index ** 2);
}

/**
 * The one-sided error rate the candidate's re-looks have spent: the sum of their spends (a look recorded without one,
 * or not recorded at all in a state written before `lookBounds` were kept, spent `alpha / 2^(look+1)`, the look-index
 * spending of its time).
 */
export function relookErrorSpent(candidate: CandidateModel): number {
  const alpha = candidate.alpha ?? REGATE_ALPHA;
  let spent = 0;
  for (let index = 0; index < Math.max(candidate.looks, candidate.lookBounds.length); index++) spent += candidate.lookBounds[index]?.spend ?? alpha / 2 ** (index + 2);
  return spent;
}

/** The share of the candidate's one-sided error budget (`alpha / 2`) its re-looks have not spent: 0 when it is spent (it cannot pass any more). */
export function relookErrorLeft(candidate: CandidateModel): number {
  const total = (candidate.alpha ?? REGATE_ALPHA) / 2;
  const left = (total - relookErrorSpent(candidate)) / total;
  return left > 1e-12 ? left : 0;
}

/** Options of `regateExplorationCandidate`. */
export interface RegateOptions {
  candidate: CandidateModel;
  /**
   * Every logged experience (the buffer): the logs since `candidate.since` in the mode it explored in (shadow, or
   * production for a challenger) are its exploration logs, the rest the reference.
   */
  experiences: readonly Experience[];
  /**
   * The deployed model a challenger (`candidate.challenges`) is compared with: its version must be the one the
   * candidate challenges. Absent for a candidate that explores in shadow mode (compared with the rules).
   */
  challenged?: { version: string; directory: string };
  candidateShare: number;
  /** Where a candidate that passes is written, its manifest carrying the re-look's comparison (deploy reads it). */
  output: string;
  servedAs?: ServedAs;
  trainerConfig?: Record<string, unknown>;
  actionSpace?: ActionSpace;
  rewardConfig?: RewardConfigInput;
}

/** What a re-look at the exploration candidate found. */
export interface RegateReport {
  version: string;
  /** The exploration candidate's copy in the data dir (what was valued). */
  candidateDirectory: string;
  look: number;
  /** The error rate its re-looks spend in all (`CandidateModel.alpha`, `REGATE_ALPHA`'s convention). */
  alpha: number;
  /** The one-sided error rate this look spent, and how: by look index or by information fraction (`plannedLogs`). */
  spend: number;
  spending: 'look' | 'information';
  /** The planned fresh logs its looks spend over (`CandidateModel.plannedLogs`; null: by look index). */
  plannedLogs: number | null;
  /** Logs recorded while it explored, and how many of them it acted on. */
  freshLogs: number;
  candidateActed: number;
  confidence: number;
  /**
   * The z its lower bound used: the exact group-sequential bound given the candidate's earlier looks (`lookBounds`),
   * else the Bonferroni one. With `information` (1 / SE², null when the SE was 0), what the next look needs of this one.
   */
  bound: number;
  information: number | null;
  difference: { value: number; lower: number; upper: number };
  /**
   * For a look that passes, the difference's median-unbiased estimate given the candidate's earlier looks (the
   * trainer's `medianUnbiasedEstimate`): a look that passes after looks that did not is biased upward; this is not.
   * The naive `difference.value` for a look that does not pass, at a first look, and from a trainer older than it.
   */
  medianUnbiased: number;
  supported: boolean;
  /** The comparison's lower bound is above 0 *and* the logs supported the candidate. */
  passed: boolean;
  /** The deployed model it was compared with (a challenger's re-look: its version and copy), else null (the rules). */
  baseline: { version: string; directory: string } | null;
  /** The artifact to deploy when it passed (its manifest's `ope` is this re-look), else null. */
  directory: string | null;
  /** The full comparison (the trainer's `RegateComparison`, a `PolicyComparison` of the artifact format). */
  comparison: PolicyComparison;
}

/** The part of the trainer a re-look uses, typed by the trainer's own declarations (a type-only import). */
type RegateTrainerApi = Pick<typeof Trainer, 'regateCandidate' | 'pocockErrorSpent'>;

/** The trainer's re-look API, or a typed error when the installed trainer has none. */
function regateTrainer(module: TrainerModule): RegateTrainerApi {
  if (typeof module.regateCandidate !== 'function') {
    throw new TrainerUnavailableError({ cause: new Error('the installed @orchestra/learning-trainer has no regateCandidate(); install a matching version') });
  }
  return module as unknown as RegateTrainerApi;
}

/**
 * A re-look at the exploration candidate (`regateCandidate` of the trainer) on the logs recorded since it started
 * exploring, where it acted on `candidateShare` of shadow sessions (compared with the rules) or, as a challenger, of
 * production sessions (compared with the deployed model it challenges). Null when fewer than `MINIMUM_REGATE_LOGS`
 * such logs exist. When it passes, the candidate's artifact is written to `output` with the re-look as its manifest's
 * `ope`, so `deploy` verifies it through the same gate as any other model.
 */
export async function regateExplorationCandidate(module: TrainerModule, options: RegateOptions): Promise<RegateReport | null> {
  const trainer = regateTrainer(module);
  const { candidate, challenged } = options;
  if (candidate.challenges !== null && challenged?.version !== candidate.challenges) {
    throw new RangeError(`regate: candidate ${candidate.version} challenges ${candidate.challenges}, but the model given is ${challenged?.version ?? 'none'}`);
  }
  const exploredIn = candidate.challenges === null ? 'shadow' : 'production';
  const since = Date.parse(candidate.since);
  const logs: Experience[] = [];
  const reference: Experience[] = [];
  // The candidate acts in one mode: shadow (against the rules) or, as a challenger, production (against the deployed
  // model). Logs of other modes since it started (an A/B period, a demotion back to shadow) are not its exploration
  // logs; their rewards never chose its actions either, so they join the reference that fits the direct method.
  for (const experience of options.experiences) (Date.parse(experience.timestamp) > since && experience.mode === exploredIn ? logs : reference).push(experience);
  if (logs.length < MINIMUM_REGATE_LOGS) return null;
  const look = candidate.looks + 1;
  const alpha = candidate.alpha ?? REGATE_ALPHA;
  const { plannedLogs } = candidate;
  let spending: Trainer.RegateCandidateOptions['spending'];
  if (plannedLogs !== null) {
    if (typeof trainer.pocockErrorSpent !== 'function') {
      throw new TrainerUnavailableError({ cause: new Error('the installed @orchestra/learning-trainer has no pocockErrorSpent() for re-looks that spend by information (relookLogs); install a matching version') });
    }
    // By information fraction: nothing to look at until the logs grew past what the earlier looks spent up to (a
    // spent budget included: such a candidate is withdrawn by `improve`/`relook`, never looked at again).
    const spentBefore = relookErrorSpent(candidate);
    if (trainer.pocockErrorSpent(alpha / 2, logs.length / plannedLogs) - spentBefore < MINIMUM_SPEND) return null;
    spending = { plannedLogs, spentBefore };
  }
  const earlierLooks = earlierLooksOf(candidate);
  const comparison = await trainer.regateCandidate(candidate.directory, {
    logs,
    reference,
    candidateShare: options.candidateShare,
    look,
    alpha,
    ...(spending === undefined ? {} : { spending }),
    ...(earlierLooks === null ? {} : { earlierLooks }),
    ...(candidate.challenges === null ? {} : { baselineDirectory: challenged!.directory }),
    ...(options.servedAs === undefined ? {} : { learnedPolicy: options.servedAs }),
    ...(options.trainerConfig === undefined ? {} : { config: options.trainerConfig as Trainer.TrainerConfigInput }),
    ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }),
  });
  // Only a re-look on logs that support the candidate deploys: on others (another mode, a failed exploration) the
  // critic alone values its unlogged actions, as at training.
  const passed = comparison.targetBeatsBaseline === true && comparison.supported;
  let directory: string | null = null;
  if (passed) {
    directory = resolve(options.output);
    const read = await readModelArtifactFiles(candidate.directory, { loadOnnx: true });
    const manifest = { ...(read.manifest as ModelManifest), ope: comparison };
    await mkdir(dirname(directory), { recursive: true, mode: 0o700 });
    await rm(directory, { recursive: true, force: true });
    await writeModelArtifact(directory, { manifest, weights: read.files });
  }
  const { value, lower, upper } = comparison.difference;
  return {
    version: candidate.version,
    candidateDirectory: candidate.directory,
    look,
    alpha,
    // A trainer older than information spending reports no spend: it spent by look index.
    spend: comparison.spend ?? alpha / 2 ** (look + 1),
    spending: comparison.spending ?? 'look',
    plannedLogs: comparison.spending === 'information' ? plannedLogs : null,
    baseline: candidate.challenges === null ? null : { ...challenged! },
    freshLogs: comparison.freshLogs,
    candidateActed: comparison.candidateActed,
    confidence: comparison.confidence,
    // A trainer older than the group-sequential bounds reports neither: its bound is its confidence's z.
    bound: comparison.bound ?? twoSidedNormalQuantile(comparison.confidence),
    information: comparison.information ?? null,
    difference: { value, lower, upper },
    // A trainer older than the median-unbiased estimate reports none: the naive one.
    medianUnbiased: comparison.medianUnbiasedValue ?? value,
    supported: comparison.supported,
    passed,
    directory,
    comparison,
  };
}

/** Options of `revalueDeployedModel`. */
export interface RevalueOptions {
  /** The deployed model: its copy in the data dir and when it was deployed (`DeployedModel`). */
  deployed: { version: string; directory: string; deployedAt: string };
  /** Every logged experience (the buffer): those recorded since `deployed.deployedAt` in ab_test or production are valued, the rest fit the direct method. */
  experiences: readonly Experience[];
  servedAs?: ServedAs;
  trainerConfig?: Record<string, unknown>;
  rewardConfig?: RewardConfigInput;
}

/** The deployed model's learned − rules as the logs since its deployment measure it (`revalueDeployedModel`). */
export interface DeployedValue {
  version: string;
  difference: { value: number; lower: number; upper: number };
  /** Logs recorded since the deployment (ab_test and production) that were valued. */
  logs: number;
}

/**
 * The deployed model's learned − rules re-estimated on the logs recorded since it was deployed, where it (or, in an
 * A/B period, the rules' arm) acted: the gate's doubly robust estimate with the cross-fitted linear critic as its
 * direct method (the trainer's `regateCandidate` against the rules, 95 %, the critic's uncertainty added — those logs
 * were not drawn to support the rules' actions). Unlike the gate estimate the model was deployed with, which was the
 * look that passed and so reads high (the winner's curse: +6.9…+11.2 over the deployments of five matrices, −1.6…+0.4
 * over the verdicts that deployed nothing), none of these logs chose it. Null when fewer than `MINIMUM_REGATE_LOGS`
 * logs were recorded since the deployment.
 */
export async function revalueDeployedModel(module: TrainerModule, options: RevalueOptions): Promise<DeployedValue | null> {
  const trainer = regateTrainer(module);
  const since = Date.parse(options.deployed.deployedAt);
  if (!Number.isFinite(since)) throw new RangeError(`revalueDeployedModel: deployedAt ${JSON.stringify(options.deployed.deployedAt)} is not a date`);
  const logs: Experience[] = [];
  const reference: Experience[] = [];
  for (const experience of options.experiences) {
    const served = experience.mode === 'ab_test' || experience.mode === 'production';
    (served && Date.parse(experience.timestamp) > since ? logs : reference).push(experience);
  }
  if (logs.length < MINIMUM_REGATE_LOGS) return null;
  const comparison = await trainer.regateCandidate(options.deployed.directory, {
    logs,
    reference,
    // Not a share it explored on: with 1 no supported weight is clipped below the gate's clip of 10.
    candidateShare: 1,
    look: 1,
    alpha: 0.05,
    ...(options.servedAs === undefined ? {} : { learnedPolicy: options.servedAs }),
    ...(options.trainerConfig === undefined ? {} : { config: options.trainerConfig as Trainer.TrainerConfigInput }),
    ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }),
  });
  const { value, lower, upper } = comparison.difference;
  return { version: options.deployed.version, difference: { value, lower, upper }, logs: logs.length };
}

/**
 * The candidate's earlier looks as the trainer's exact bound takes them; null (Bonferroni bounds) when the state does
 * not hold one for every look (written before they were kept) or one has no information.
 */
function earlierLooksOf(candidate: CandidateModel): Trainer.SequentialLook[] | null {
  if (candidate.lookBounds.length !== candidate.looks) return null;
  const looks: Trainer.SequentialLook[] = [];
  for (const { information, bound } of candidate.lookBounds) {
    if (information === null) return null;
    looks.push({ information, bound });
  }
  return looks;
}
