/**
 * `@orchestra/learning-features/inference`: task-context inference (`inferTaskContext`) and everything behind it —
 * keyword and path rules, the transfer classifiers (compact softmax regression) and their shipped models. A
 * separate entry so that code which only encodes states or selects actions (the policy runtime) does not load the
 * classifiers.
 */
export {
  inferTaskContext,
  inferTaskInputSchema,
  combinedTaskTypeLogits,
  ABSTAIN_BELOW,
  UNSUPPORTED_ABSTAIN_BELOW,
  DEFAULT_TASK_TYPE_METHOD,
  DOMAIN_CLASSIFIER_WEIGHT,
  RULE_WEIGHT,
  type FeatureClassifier,
  type InferTaskInput,
  type InferTaskContextOptions,
  type InferenceEvidence,
  type InferredValue,
  type TaskContextInference,
  type TaskTypeMethod,
} from './infer-task-context';
export { conventionalTypeToTaskType, parseConventionalPrefix, taskTypeOfConventionalCommit, type ConventionalPrefix } from './conventional-commit';
export {
  InvalidLinearModelError,
  SoftmaxClassifier,
  compactLinearModelSchema,
  selectTransferVocabulary,
  trainSoftmaxClassifier,
  type CompactLinearModel,
  type LinearExample,
  type LinearPrediction,
  type SoftmaxTrainingOptions,
} from './softmax-classifier';
export { domainFeaturesOf, stem, taskTypeFeaturesOf, transferFeatures, type SparseFeatures } from './transfer-features';
export { taskTypeRuleScores } from './rule-engine';
export { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
export { wordTokens } from './tokenize';
