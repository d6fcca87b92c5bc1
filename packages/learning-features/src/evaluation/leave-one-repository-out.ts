import { taskTypes, type TaskType } from '@orchestra/learning-types';
import { DEFAULT_TASK_TYPE_METHOD, combinedTaskTypeLogits, inferTaskContext, type FeatureClassifier } from '../inference/infer-task-context';
import { taskTypeRuleScores } from '../inference/rule-engine';
import { SoftmaxClassifier } from '../inference/softmax-classifier';
import { transferFeatures } from '../inference/transfer-features';
import type { LabelledCommit } from './commit-dataset';
import { CORE_TASK_TYPES, trainDomainModel, trainTaskTypeModel, type TransferTrainingSettings } from './train-classifiers';

export { CORE_TASK_TYPES } from './train-classifiers';

/** Per-class counts of one method on one held-out repository. */
export interface MethodScores {
  /** Rows and correct answers per true class. */
  perClass: Record<TaskType, { count: number; correct: number }>;
  /** Mean recall over the CORE_TASK_TYPES present (= accuracy on a sample balanced over them; see UNSEEN_MINIMUM_CLASS_ROWS). */
  balanced: number;
  /** Plain accuracy over every row of the repository (all classes, natural frequencies). */
  natural: number;
}

/** Results on one held-out repository. */
export interface FoldResult {
  repository: string;
  trainingRows: number;
  testRows: number;
  /** `inferTaskContext` with a classifier trained on the other repositories (default method, with abstention). */
  model: MethodScores;
  /** The classifier's own arg-max (no rule scores added, no abstention). */
  classifierOnly: MethodScores;
  /** `inferTaskContext` with the keyword rules only (method `rules`). */
  rules: MethodScores;
  /** A five-minute keyword list (`simpleKeywordBaseline`). */
  keywords: MethodScores;
  /** Temperature fitted on the other folds' held-out predictions. */
  temperature: number;
  /** Expected calibration error (10 bins) of `taskType.confidence` of the default method. */
  expectedCalibrationError: number;
  /** Share of rows where the inference abstained to a generic type, and the accuracy on those rows. */
  abstained: { share: number; accuracy: number };
}

const simpleKeywords: ReadonlyArray<readonly [RegExp, TaskType]> = [
  [/\b(revert)/u, 'revert'],
  [/\b(docs?|readme|typo|documentation|comment)/u, 'docs'],
  [/\b(tests?|spec|e2e|coverage)\b/u, 'test'],
  [/\b(perf|performance|optimi[sz]e|faster|speed)/u, 'performance'],
  [/\b(refactor|clean ?up|rename|move|simplify|extract)/u, 'refactor'],
  [/\b(bump|deps|dependency|dependencies|upgrade)\b/u, 'dependencies'],
  [/\b(fix|bug|crash|error|issue|broken)/u, 'bugfix'],
  [/\b(add|support|implement|new|allow|introduce)/u, 'feature'],
];

/** The baseline the issue names: a five-minute first-match keyword list; no match → bugfix (the commonest type). */
export function simpleKeywordBaseline(subject: string): TaskType {
  const text = subject.toLowerCase();
  for (const [pattern, type] of simpleKeywords) if (pattern.test(text)) return type;
  return 'bugfix';
}

function score(rows: readonly LabelledCommit[], predictions: readonly TaskType[], minimumClassRows = 1): MethodScores {
  const perClass = Object.fromEntries(taskTypes.map((type) => [type, { count: 0, correct: 0 }])) as MethodScores['perClass'];
  let correct = 0;
  rows.forEach((row, index) => {
    perClass[row.taskType].count += 1;
    if (predictions[index] === row.taskType) {
      perClass[row.taskType].correct += 1;
      correct += 1;
    }
  });
  const present = CORE_TASK_TYPES.filter((type) => perClass[type].count >= Math.max(1, minimumClassRows));
  const balanced = present.reduce((sum, type) => sum + perClass[type].correct / perClass[type].count, 0) / Math.max(1, present.length);
  return { perClass, balanced, natural: rows.length === 0 ? 0 : correct / rows.length };
}

/** Expected calibration error: Σ over 10 equal-width confidence bins of |accuracy − mean confidence| × share. */
export function expectedCalibrationError(confidences: readonly number[], correct: readonly boolean[], bins = 10): number {
  const totals = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, correct: 0 }));
  confidences.forEach((confidence, index) => {
    const bin = totals[Math.min(bins - 1, Math.floor(confidence * bins))]!;
    bin.count += 1;
    bin.confidence += confidence;
    if (correct[index]) bin.correct += 1;
  });
  return totals.reduce((sum, bin) => sum + (bin.count === 0 ? 0 : (Math.abs(bin.correct - bin.confidence) / bin.count) * (bin.count / confidences.length)), 0);
}

/** One held-out prediction before calibration: the final task-type logits and the index of the true type. */
export interface HeldOutLogits {
  logits: Float64Array;
  label: number;
}

/** Mean negative log-likelihood of the true labels under softmax(logits / temperature). */
function negativeLogLikelihood(items: readonly HeldOutLogits[], temperature: number): number {
  let total = 0;
  for (const item of items) {
    const maximum = Math.max(...item.logits);
    let normaliser = 0;
    for (const logit of item.logits) normaliser += Math.exp((logit - maximum) / temperature);
    total -= (item.logits[item.label]! - maximum) / temperature - Math.log(normaliser);
  }
  return total / Math.max(1, items.length);
}

/** The temperature in [0.5, 4] (step 0.05) that minimises the held-out negative log-likelihood. */
export function fitTemperature(items: readonly HeldOutLogits[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let temperature = 0.5; temperature <= 4.0001; temperature += 0.05) {
    const loss = negativeLogLikelihood(items, temperature);
    if (loss < bestLoss) {
      bestLoss = loss;
      best = Math.round(temperature * 100) / 100;
    }
  }
  return best;
}

/** Options of `leaveOneRepositoryOut`. */
export interface LeaveOneRepositoryOutOptions {
  settings?: Partial<TransferTrainingSettings>;
  /** Which held-out rows to score (e.g. every 4th for a fast smoke test); default all. */
  testFilter?: (row: LabelledCommit, index: number) => boolean;
  /** Abstention threshold passed to `inferTaskContext` (default its own). */
  abstainBelow?: number;
  /** Abstention threshold for types only the classifier supports (default `inferTaskContext`'s own). */
  unsupportedAbstainBelow?: number;
  /** Which repositories to hold out; default all. */
  repositories?: readonly string[];
}

/**
 * Leave-one-repository-out evaluation of task-type inference: for each repository, train the transfer classifier
 * on the other repositories, fit its temperature on the other folds' held-out predictions, and score
 * `inferTaskContext` on the held-out repository's subjects (prefix removed, no files, no labels), with the keyword
 * rules and a five-minute keyword list beside it. `temperature` is the one fitted on every fold (the shipped one).
 */
export function leaveOneRepositoryOut(rows: readonly LabelledCommit[], options: LeaveOneRepositoryOutOptions = {}): { folds: FoldResult[]; temperature: number } {
  const repositories = options.repositories ?? [...new Set(rows.map((row) => row.repository))];
  const trained = repositories.map((repository) => {
    const training = rows.filter((row) => row.repository !== repository);
    const test = rows.filter((row) => row.repository === repository).filter((row, index) => options.testFilter?.(row, index) ?? true);
    const model = trainTaskTypeModel(training, `all repositories but ${repository}`, options.settings);
    const uncalibrated = new SoftmaxClassifier(model, 1);
    const heldOut = test.map((row) => {
      const ruleScores = taskTypeRuleScores(row.subject);
      const prediction = uncalibrated.predict(transferFeatures(row.subject, ruleScores));
      const logits = combinedTaskTypeLogits(prediction.logits, ruleScores, new Map(), uncalibrated.unseenLabels, DEFAULT_TASK_TYPE_METHOD);
      return { logits: Float64Array.from(logits), label: taskTypes.indexOf(row.taskType), classifierLabel: prediction.label };
    });
    return { repository, training, test, model, heldOut };
  });
  const folds = trained.map((fold, foldIndex) => {
    const others = trained.filter((_, index) => index !== foldIndex).flatMap((other) => other.heldOut);
    const temperature = others.length === 0 ? 1 : fitTemperature(others);
    const classifier = new SoftmaxClassifier(fold.model, temperature);
    const inferred = fold.test.map((row) => inferTaskContext({ description: row.subject }, { taskTypeClassifier: classifier, domainClassifier: null, ...(options.abstainBelow === undefined ? {} : { abstainBelow: options.abstainBelow }), ...(options.unsupportedAbstainBelow === undefined ? {} : { unsupportedAbstainBelow: options.unsupportedAbstainBelow }) }));
    const predictions = inferred.map((result) => result.context.taskType);
    const abstainedIndices = inferred.flatMap((result, index) => (result.taskType.evidence.some((item) => item.source === 'default' && item.text.startsWith('unsure')) ? [index] : []));
    return {
      repository: fold.repository,
      trainingRows: fold.training.length,
      testRows: fold.test.length,
      model: score(fold.test, predictions),
      classifierOnly: score(fold.test, fold.heldOut.map((item) => item.classifierLabel as TaskType)),
      rules: score(fold.test, fold.test.map((row) => inferTaskContext({ description: row.subject }, { method: 'rules', domainClassifier: null }).context.taskType)),
      keywords: score(fold.test, fold.test.map((row) => simpleKeywordBaseline(row.subject))),
      temperature,
      expectedCalibrationError: expectedCalibrationError(
        inferred.map((result) => result.taskType.confidence),
        predictions.map((prediction, index) => prediction === fold.test[index]!.taskType),
      ),
      abstained: {
        share: fold.test.length === 0 ? 0 : abstainedIndices.length / fold.test.length,
        accuracy: abstainedIndices.length === 0 ? 0 : abstainedIndices.filter((index) => predictions[index] === fold.test[index]!.taskType).length / abstainedIndices.length,
      },
    };
  });
  return { folds, temperature: fitTemperature(trained.flatMap((fold) => fold.heldOut)) };
}

/** Scores of the default inference, the keyword rules and the five-minute keywords on one never-seen repository. */
export interface UnseenRepositoryResult {
  repository: string;
  testRows: number;
  model: MethodScores;
  rules: MethodScores;
  keywords: MethodScores;
}

/** A core class enters a never-seen repository's balanced figure only with at least this many rows (karma has 2 refactors). */
export const UNSEEN_MINIMUM_CLASS_ROWS = 10;

/**
 * Task-type accuracy on repositories none of the training data comes from (data/changelog-entries.tsv), per
 * repository: `inferTaskContext` with `classifier` (default: the shipped one, trained on all five repositories),
 * the keyword rules alone and the five-minute keywords. Nothing is fitted on these rows.
 */
export function evaluateUnseenRepositories(rows: readonly LabelledCommit[], classifier?: FeatureClassifier): UnseenRepositoryResult[] {
  return [...new Set(rows.map((row) => row.repository))].map((repository) => {
    const test = rows.filter((row) => row.repository === repository);
    const options = classifier === undefined ? { domainClassifier: null } : { taskTypeClassifier: classifier, domainClassifier: null };
    return {
      repository,
      testRows: test.length,
      model: score(test, test.map((row) => inferTaskContext({ description: row.subject }, options).context.taskType), UNSEEN_MINIMUM_CLASS_ROWS),
      rules: score(test, test.map((row) => inferTaskContext({ description: row.subject }, { method: 'rules', domainClassifier: null }).context.taskType), UNSEEN_MINIMUM_CLASS_ROWS),
      keywords: score(test, test.map((row) => simpleKeywordBaseline(row.subject)), UNSEEN_MINIMUM_CLASS_ROWS),
    };
  });
}

/** Primary-domain accuracy on one held-out repository (rows whose domain was derived from the commit scope). */
export interface DomainFoldResult {
  repository: string;
  rows: number;
  /** With the domain classifier trained on the other repositories. */
  model: number;
  /** Keyword rules only (no domain classifier). */
  rules: number;
}

/**
 * Leave-one-repository-out primary-domain accuracy on the rows whose domain label comes from the commit scope (the
 * rows labelled from the type alone — docs → documentation — are left out: the task type decides those).
 */
export function domainLeaveOneRepositoryOut(rows: readonly LabelledCommit[]): DomainFoldResult[] {
  return [...new Set(rows.map((row) => row.repository))].flatMap((repository) => {
    const test = rows.filter((row) => row.repository === repository && row.domainSource === 'scope');
    if (test.length === 0) return [];
    const classifier = new SoftmaxClassifier(trainDomainModel(rows.filter((row) => row.repository !== repository), `all but ${repository}`));
    const accuracy = (domainClassifier: SoftmaxClassifier | null): number =>
      test.filter((row) => inferTaskContext({ description: row.subject }, { domainClassifier }).context.domains[0] === row.primaryDomain).length / test.length;
    return [{ repository, rows: test.length, model: accuracy(classifier), rules: accuracy(null) }];
  });
}

/** How `withOwnLabels` splits a repository into folds. */
export type OwnLabelFolds = 'interleaved' | 'history';

/** Task-type accuracy on one repository when its own labels are available (see `withOwnLabels`). */
export interface OwnLabelResult {
  repository: string;
  folds: number;
  split: OwnLabelFolds;
  /** Trained on the repository's other folds only. */
  ownOnly: MethodScores;
  /** Trained on the other repositories plus the repository's other folds. */
  withOthers: MethodScores;
}

/**
 * What the same inference reaches on `repository` when it may learn from that repository's own labels: k-fold
 * cross-validation inside the repository, the classifier trained on the other folds (`ownOnly`) or on them plus every
 * other repository (`withOthers`) — both with every feature seen ≥ 5 times, since one repository cannot pass the
 * ≥ 3-repositories rule — scored with `inferTaskContext` at `temperature`. A reference for the leave-one-repository-out
 * figure: no transfer recipe of this model family can be expected above it. `interleaved` folds (row i in fold
 * i mod k) let neighbouring commits of one change fall on both sides, so they are optimistic; `history` folds are
 * contiguous stretches of the repository's history.
 */
export function withOwnLabels(rows: readonly LabelledCommit[], repository: string, options: { folds?: number; split?: OwnLabelFolds; temperature?: number } = {}): OwnLabelResult {
  const folds = options.folds ?? 5;
  const split = options.split ?? 'interleaved';
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`withOwnLabels: folds must be an integer ≥ 2, got ${folds}`);
  const own = rows.filter((row) => row.repository === repository);
  if (own.length < folds) throw new RangeError(`withOwnLabels: ${repository} has ${own.length} rows, fewer than ${folds} folds`);
  // `age` 1 = oldest: history folds are contiguous in time.
  const ordered = split === 'history' ? [...own].sort((a, b) => b.age - a.age) : own;
  const foldOf = (index: number) => (split === 'history' ? Math.min(folds - 1, Math.floor((index * folds) / ordered.length)) : index % folds);
  const others = rows.filter((row) => row.repository !== repository);
  const ownOnly: TaskType[] = new Array<TaskType>(ordered.length);
  const withOthers: TaskType[] = new Array<TaskType>(ordered.length);
  const settings = { minimumRepositories: 1, minimumCount: 5 };
  for (let fold = 0; fold < folds; fold++) {
    const training = ordered.filter((_, index) => foldOf(index) !== fold);
    const classifiers = [
      new SoftmaxClassifier(trainTaskTypeModel(training, `${repository}, other folds`, settings), options.temperature ?? 1),
      new SoftmaxClassifier(trainTaskTypeModel([...others, ...training], `every repository, ${repository}'s other folds`, settings), options.temperature ?? 1),
    ] as const;
    ordered.forEach((row, index) => {
      if (foldOf(index) !== fold) return;
      ownOnly[index] = inferTaskContext({ description: row.subject }, { taskTypeClassifier: classifiers[0], domainClassifier: null }).context.taskType;
      withOthers[index] = inferTaskContext({ description: row.subject }, { taskTypeClassifier: classifiers[1], domainClassifier: null }).context.taskType;
    });
  }
  return { repository, folds, split, ownOnly: score(ordered, ownOnly), withOthers: score(ordered, withOthers) };
}
