export * from './errors';
export * from './random';
export * from './feature-schema';
export * from './hashed-text-features';
export * from './encode-state';
export * from './model-catalog';
export * from './action-space';
export * from './normalizer';
export * from './history-index';
export {
  inferTaskContext,
  inferTaskInputSchema,
  DEFAULT_TASK_TYPE_METHOD,
  RULE_WEIGHT,
  DOMAIN_CLASSIFIER_WEIGHT,
  CLASSIFIER_SMOOTHING,
  type InferTaskInput,
  type InferTaskContextOptions,
  type InferenceEvidence,
  type InferredValue,
  type TaskContextInference,
  type TaskTypeMethod,
  type TokenClassifier,
} from './inference/infer-task-context';
export {
  conventionalTypeToTaskType,
  parseConventionalPrefix,
  taskTypeOfConventionalCommit,
  type ConventionalPrefix,
} from './inference/conventional-commit';
export {
  NaiveBayesClassifier,
  naiveBayesModelSchema,
  trainNaiveBayes,
  type LabelledTokens,
  type NaiveBayesModel,
  type NaiveBayesPrediction,
  type NaiveBayesTrainingOptions,
} from './inference/naive-bayes';
export {
  LogisticRegressionClassifier,
  logisticRegressionModelSchema,
  trainLogisticRegression,
  type LogisticRegressionModel,
  type LogisticRegressionTrainingOptions,
} from './inference/logistic-regression';
export {
  LinearTextClassifier,
  characterGrams,
  linearTextModelSchema,
  trainLinearTextClassifier,
  type LabelledText,
  type LinearTextModel,
  type LinearTextTrainingOptions,
} from './inference/linear-text-classifier';
export { shippedDomainClassifier, shippedTaskTypeClassifier } from './inference/shipped-classifiers';
export { classifierFeatures, wordTokens } from './inference/tokenize';
