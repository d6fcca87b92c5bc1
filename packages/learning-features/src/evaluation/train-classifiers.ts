import { domains, taskTypes, type TaskType } from '@orchestra/learning-types';
import { selectTransferVocabulary, trainSoftmaxClassifier, type CompactLinearModel } from '../inference/softmax-classifier';
import { domainFeaturesOf, taskTypeFeaturesOf, type SparseFeatures } from '../inference/transfer-features';
import type { LabelledCommit } from './commit-dataset';

/** The six task types the issue measures (balanced over them): the headline is the mean recall over these. */
export const CORE_TASK_TYPES: readonly TaskType[] = ['feature', 'bugfix', 'docs', 'refactor', 'performance', 'test'];

/**
 * Types whose labels mean different things in different repositories (`chore` is anything from a release step to
 * a typo fix, angular-cli files its Renovate updates as `build`, `style` is formatting or CSS): down-weighted in
 * training (`catchAllWeight`) so they do not absorb a new repository's core rows. `revert`, `ci`, `dependencies`
 * and `security` mean the same everywhere and keep their full weight.
 */
export const CATCH_ALL_TASK_TYPES: readonly TaskType[] = ['chore', 'build', 'style'];

/** How the transfer classifiers are trained (see `taskTypeTrainingSettings`). */
export interface TransferTrainingSettings {
  /** A feature is learnt only if it occurs in at least this many training repositories. */
  minimumRepositories: number;
  /** …and in at least this many training subjects overall. */
  minimumCount: number;
  /** L2 penalty (strong regularisation: no single word may carry a decision alone). */
  l2: number;
  epochs: number;
  learningRate: number;
  /** 0 = natural class frequencies, 1 = every class weighs the same in training. */
  classBalance: number;
  /** Weight multiplier of the CATCH_ALL_TASK_TYPES in training (1 = as much as any other type after balancing). */
  catchAllWeight: number;
  seed: number;
}

/**
 * The shipped task-type settings, chosen by the leave-one-repository-out grid in `scripts/tune-transfer.ts` (mean
 * balanced accuracy over the five held-out repositories; see README for the caveat that the folds chose them).
 */
export const taskTypeTrainingSettings: TransferTrainingSettings = {
  minimumRepositories: 3,
  minimumCount: 20,
  l2: 0.3,
  epochs: 6,
  learningRate: 0.1,
  classBalance: 1,
  catchAllWeight: 0.5,
  seed: 1,
};

const featureCache = new WeakMap<LabelledCommit, SparseFeatures>();
function cachedFeatures(row: LabelledCommit): SparseFeatures {
  let features = featureCache.get(row);
  if (features === undefined) featureCache.set(row, (features = taskTypeFeaturesOf(row.subject)));
  return features;
}

/**
 * Training weights: every repository weighs the same in total (a large repository must not teach its own habits),
 * and classes are re-weighted by frequency^(−classBalance); the weights average 1.
 */
export function transferWeights(rows: ReadonlyArray<{ repository: string; label: string }>, classBalance: number, labelWeight: (label: string) => number = () => 1): number[] {
  const perRepository = new Map<string, number>();
  const perClass = new Map<string, number>();
  for (const row of rows) {
    perRepository.set(row.repository, (perRepository.get(row.repository) ?? 0) + 1);
    perClass.set(row.label, (perClass.get(row.label) ?? 0) + 1);
  }
  const raw = rows.map((row) => (labelWeight(row.label) / perRepository.get(row.repository)!) * (perClass.get(row.label)! / rows.length) ** -classBalance);
  const mean = raw.reduce((sum, value) => sum + value, 0) / Math.max(1, raw.length);
  return raw.map((value) => value / mean);
}

/** Trains the task-type transfer classifier on commit subjects (prefix already removed in the data). */
export function trainTaskTypeModel(
  rows: readonly LabelledCommit[],
  trainedOn: string,
  settings: Partial<TransferTrainingSettings> = {},
  temperature = 1,
): CompactLinearModel {
  const chosen = { ...taskTypeTrainingSettings, ...settings };
  const examples = rows.map((row) => ({ features: cachedFeatures(row), label: row.taskType, group: row.repository }));
  const vocabulary = selectTransferVocabulary(examples, chosen.minimumRepositories, chosen.minimumCount);
  const weights = transferWeights(
    rows.map((row) => ({ repository: row.repository, label: row.taskType })),
    chosen.classBalance,
    (label) => (CATCH_ALL_TASK_TYPES.includes(label as TaskType) ? chosen.catchAllWeight : 1),
  );
  return trainSoftmaxClassifier(
    examples.map((example, index) => ({ ...example, weight: weights[index]! })),
    taskTypes,
    { vocabulary, epochs: chosen.epochs, learningRate: chosen.learningRate, l2: chosen.l2, seed: chosen.seed, trainedOn, temperature },
  );
}

/** Trains the primary-domain classifier on the rows with a derived domain, with the same transfer recipe. */
export function trainDomainModel(rows: readonly LabelledCommit[], trainedOn: string): CompactLinearModel {
  const labelled = rows.filter((row) => row.primaryDomain !== undefined);
  const examples = labelled.map((row) => ({ features: domainFeaturesOf(row.subject), label: row.primaryDomain!, group: row.repository }));
  const vocabulary = selectTransferVocabulary(examples, 2, 20);
  const weights = transferWeights(labelled.map((row) => ({ repository: row.repository, label: row.primaryDomain! })), 0.5);
  return trainSoftmaxClassifier(
    examples.map((example, index) => ({ ...example, weight: weights[index]! })),
    domains,
    { vocabulary, epochs: 6, learningRate: 0.1, l2: 0.3, seed: 1, trainedOn },
  );
}
