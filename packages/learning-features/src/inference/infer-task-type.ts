import { taskTypes, type TaskType } from '@orchestra/learning-types';
import { taskTypeOfConventionalCommit } from './conventional-commit';
import { argmax, labelEvidence, round, softmax, taskTypeRecord, topEvidence, type InferredValue } from './inference-helpers';
import { taskTypeRules } from './keyword-rules';
import { applyRules, type InferenceEvidence } from './rule-engine';
import { SoftmaxClassifier, type LinearPrediction } from './softmax-classifier';
import { wordsOf, type TaskAnalysis } from './task-analysis';
import { labelPositions, transferFeatureIndexOf, transferScoresOf, type TransferScores } from './transfer-feature-index';
import { transferFeatures, type SparseFeatures } from './transfer-features';

/**
 * How the task type is chosen: keyword rules only, the transfer classifier only, or the classifier plus explicit
 * evidence (labels, file paths) — the default, see DEFAULT_TASK_TYPE_METHOD.
 */
export type TaskTypeMethod = 'rules' | 'classifier' | 'combined';

/** Anything that turns sparse features into calibrated class probabilities (`SoftmaxClassifier`). */
export interface FeatureClassifier {
  readonly labels: readonly string[];
  /** Labels the classifier never saw in training (their score comes from the rules instead). */
  readonly unseenLabels?: ReadonlySet<string>;
  /** Temperature that calibrates the final task-type logits (1 = none). */
  readonly temperature: number;
  predict(features: SparseFeatures): LinearPrediction;
}

/**
 * The task-type method used by default: the transfer classifier (which reads the keyword-rule scores as features)
 * plus explicit evidence. Leave-one-repository-out figures: README, `pnpm --filter @orchestra/learning-features eval`.
 */
export const DEFAULT_TASK_TYPE_METHOD: TaskTypeMethod = 'combined';

/**
 * Below this calibrated probability of its best type (and with no prefix, label or path evidence) the inference
 * abstains: it answers the likelier of the two generic types, `feature` and `bugfix`, instead of a specialised one
 * (docs, test, performance… which make a policy pick cheap or special handling), and reports the low confidence.
 */
export const ABSTAIN_BELOW = 0.15;
/**
 * Weight of the keyword-rule scores added to the classifier's log-probabilities in `combined` (chosen with
 * `scripts/tune-transfer.ts`, leave-one-repository-out).
 */
export const RULE_WEIGHT = 0.5;
/** Abstention threshold for a specialised type that only the classifier (no keyword rule, label or path) supports. */
export const UNSUPPORTED_ABSTAIN_BELOW = 0.25;
/** Probability given to a type the classifier never saw (security) before its keyword-rule score is added. */
const UNSEEN_TYPE_PRIOR = 0.02;
/** Logit added per point of label or path evidence (a label scores 4, a path 3 × its share of the files). */
const EXPLICIT_WEIGHT = 1;
/** Share of the files that must suggest a task type for the paths to vote for it. */
const PATH_TYPE_SHARE = 0.6;
/** The types an unsure inference falls back to. */
const genericTypes: readonly TaskType[] = ['feature', 'bugfix'];

const labelTaskTypes: ReadonlyArray<readonly [RegExp, TaskType]> = [
  [/^(type: ?)?(bug|defect|regression|kind\/bug|fix)$/iu, 'bugfix'],
  [/^(type: ?)?(feature|enhancement|feature request|kind\/feature|feat)$/iu, 'feature'],
  [/^(type: ?)?(docs?|documentation|kind\/documentation)$/iu, 'docs'],
  [/^(type: ?)?(dependencies|deps|dependency|renovate|dependabot)$/iu, 'dependencies'],
  [/^(type: ?)?(security|vulnerability)$/iu, 'security'],
  [/^(type: ?)?(performance|perf)$/iu, 'performance'],
  [/^(type: ?)?(refactor|refactoring|tech ?debt|cleanup)$/iu, 'refactor'],
  [/^(type: ?)?(tests?|testing)$/iu, 'test'],
  [/^(type: ?)?(ci|ci\/cd|github[_ ]actions)$/iu, 'ci'],
  [/^(type: ?)?(build|packaging)$/iu, 'build'],
  [/^(type: ?)?(style|formatting|lint)$/iu, 'style'],
  [/^(type: ?)?(revert)$/iu, 'revert'],
  [/^(type: ?)?(chore|maintenance)$/iu, 'chore'],
];

/**
 * The task-type logits before calibration: the classifier's logits, plus in `combined` the keyword-rule scores once
 * more (the classifier under-trusts them: it also has the words of its training repositories) and the label and
 * path evidence. A type the classifier never saw (security) gets a small prior plus its rule score. Exported for the
 * evaluation, which fits the temperature on exactly these.
 */
export function combinedTaskTypeLogits(
  classifierLogits: Readonly<Record<string, number>>,
  ruleScores: ReadonlyMap<string, number>,
  explicitScores: ReadonlyMap<string, number>,
  unseenLabels: ReadonlySet<string> | undefined,
  method: TaskTypeMethod,
): number[] {
  return combineLogits(taskTypes.map((type) => classifierLogits[type]), ruleScores, explicitScores, unseenLabels, method);
}

/** `combinedTaskTypeLogits` with the classifier's logits in `taskTypes` order (`undefined`: a label it lacks). */
function combineLogits(
  learntLogits: ReadonlyArray<number | undefined>,
  ruleScores: ReadonlyMap<string, number>,
  explicitScores: ReadonlyMap<string, number>,
  unseenLabels: ReadonlySet<string> | undefined,
  method: TaskTypeMethod,
): number[] {
  const logits = new Array<number>(taskTypes.length);
  for (let index = 0; index < taskTypes.length; index += 1) {
    const type = taskTypes[index]!;
    if (unseenLabels?.has(type)) logits[index] = Math.log(UNSEEN_TYPE_PRIOR) + (ruleScores.get(type) ?? 0) + EXPLICIT_WEIGHT * (explicitScores.get(type) ?? 0);
    else {
      const learnt = learntLogits[index] ?? -20;
      logits[index] = method === 'combined' ? learnt + RULE_WEIGHT * (ruleScores.get(type) ?? 0) + EXPLICIT_WEIGHT * (explicitScores.get(type) ?? 0) : learnt;
    }
  }
  return logits;
}

/**
 * A transfer classifier's prediction for the subject's features (with `ruleScores` for the task-type model). A
 * `SoftmaxClassifier` is read through its compiled feature index (same result, no feature names built).
 */
export function predictTransfer(classifier: FeatureClassifier, analysis: TaskAnalysis, ruleScores?: ReadonlyMap<string, number>): TransferScores {
  if (classifier instanceof SoftmaxClassifier) return transferFeatureIndexOf(classifier).score(wordsOf(analysis), ruleScores);
  return transferScoresOf(classifier.labels, classifier.predict(transferFeatures(analysis.subject, ruleScores ?? new Map())));
}

/** Label and path evidence for a task type (explicit: the classifier never saw any), added to `scores`. */
function explicitTaskTypeEvidence(analysis: TaskAnalysis, scores: Map<TaskType, number>, evidence: InferenceEvidence[]): void {
  labelEvidence(analysis.labels, labelTaskTypes, scores, evidence);
  // File paths: a type most files suggest (`*.md` → docs, `*.test.ts` → test); a lone test file beside source
  // files is no test task.
  const { files, paths } = analysis;
  if (files.length === 0) return;
  const pathTypeCounts = new Map<TaskType, number>();
  for (const facts of paths) {
    const type = facts.taskType;
    if (type !== undefined) pathTypeCounts.set(type, (pathTypeCounts.get(type) ?? 0) + 1);
  }
  for (const [type, count] of pathTypeCounts) {
    const share = count / files.length;
    if (share < PATH_TYPE_SHARE) continue;
    const weight = round(3 * share);
    scores.set(type, (scores.get(type) ?? 0) + weight);
    evidence.push({ source: 'path', text: files.filter((_, index) => paths[index]!.rules.some((rule) => rule.taskType === type)).slice(0, 3).join(', '), target: type, weight });
  }
}

/** Settings of `inferTaskType` (from `InferTaskContextOptions`). */
export interface TaskTypeSettings {
  method: TaskTypeMethod;
  classifier: FeatureClassifier | null;
  abstainBelow: number;
  unsupportedAbstainBelow: number;
}

/**
 * The task type: keyword-rule scores, label and path evidence, the transfer classifier; abstains to the likelier
 * generic type when unsure; a conventional prefix decides. The confidence is unrounded (`inferTaskContext` rounds).
 */
export function inferTaskType(analysis: TaskAnalysis, settings: TaskTypeSettings): InferredValue<TaskType> & { probabilities: Record<TaskType, number> } {
  const { method, classifier } = settings;
  const { meaningful, prefix } = analysis;
  const evidence: InferenceEvidence[] = [];
  // Keyword-rule scores: the rules-only answer, and features of the classifier (which learnt how far to trust them).
  const ruleScores = new Map<TaskType, number>();
  applyRules(taskTypeRules, analysis.ruleText, ruleScores, evidence);
  // Labels and paths are explicit evidence (none in the commit data the classifier learnt from): added on top.
  const explicitScores = new Map<TaskType, number>();
  explicitTaskTypeEvidence(analysis, explicitScores, evidence);
  let prediction: TransferScores | undefined;
  if (method !== 'rules' && classifier !== null && meaningful) {
    prediction = predictTransfer(classifier, analysis, ruleScores);
    const label = prediction.labels[prediction.best]!;
    const weight = round(prediction.probabilities[prediction.best]!);
    for (const feature of prediction.evidence) evidence.push({ source: 'classifier', text: feature, target: label, weight });
  }
  let probabilities: number[];
  if (prediction !== undefined) {
    const positions = labelPositions(prediction.labels, taskTypes);
    const learnt = new Array<number | undefined>(taskTypes.length);
    for (let index = 0; index < taskTypes.length; index += 1) learnt[index] = positions[index]! < 0 ? undefined : prediction.logits[positions[index]!];
    const logits = combineLogits(learnt, ruleScores, explicitScores, classifier!.unseenLabels, method);
    const temperature = classifier!.temperature;
    for (let index = 0; index < logits.length; index += 1) logits[index] = logits[index]! / temperature;
    probabilities = softmax(logits);
  } else {
    // Rules only: a softmax over scores; with no evidence, `bugfix` for text (the most common type of real tasks),
    // `chore` for nothing at all, both with a flat distribution.
    const scores: number[] = taskTypes.map((type) => (ruleScores.get(type) ?? 0) + (explicitScores.get(type) ?? 0));
    if (!scores.some((score) => score !== 0)) {
      const fallback: TaskType = meaningful ? 'bugfix' : 'chore';
      scores[taskTypes.indexOf(fallback)] = 0.2;
      evidence.push({ source: 'default', text: meaningful ? 'no keyword matched' : 'no usable text', target: fallback, weight: 0 });
    }
    probabilities = softmax(scores);
  }
  let typeIndex = argmax(probabilities);
  let taskType = taskTypes[typeIndex]!;
  let confidence = probabilities[typeIndex]!;
  // A specialised type no keyword, label or path supports needs `unsupportedAbstainBelow` on the classifier alone.
  const unsupported = (ruleScores.get(taskType) ?? 0) <= 0 && explicitScores.size === 0;
  if (prediction !== undefined && explicitScores.size === 0 && !genericTypes.includes(taskType) && (confidence < settings.abstainBelow || (unsupported && confidence < settings.unsupportedAbstainBelow))) {
    // Unsure: answer the likelier generic type rather than a specialised one, with its own (low) probability.
    const generic = genericTypes.reduce((best, type) => (probabilities[taskTypes.indexOf(type)]! > probabilities[taskTypes.indexOf(best)]! ? type : best));
    evidence.push({ source: 'default', text: `unsure (${taskType} at ${round(confidence)})`, target: generic, weight: 0 });
    taskType = generic;
    typeIndex = taskTypes.indexOf(generic);
    confidence = probabilities[typeIndex]!;
  }
  if (prefix !== undefined) {
    const prefixed = taskTypeOfConventionalCommit(prefix.type, prefix.scope);
    if (prefixed !== undefined) {
      taskType = prefixed;
      confidence = 0.95;
      evidence.unshift({ source: 'prefix', text: prefix.prefix, target: prefixed, weight: 10 });
    }
  }
  if (!meaningful && prefix === undefined && ruleScores.size === 0 && explicitScores.size === 0) confidence = Math.min(confidence, 0.1);
  return {
    value: taskType,
    confidence,
    evidence: topEvidence(evidence, taskType),
    probabilities: taskTypeRecord(probabilities.map(round)),
  };
}
