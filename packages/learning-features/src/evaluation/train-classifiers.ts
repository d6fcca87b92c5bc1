import { domains, taskTypes } from '@orchestra/learning-types';
import { trainLogisticRegression, type LogisticRegressionModel } from '../inference/logistic-regression';
import { trainNaiveBayes, type NaiveBayesModel } from '../inference/naive-bayes';
import { classifierFeatures } from '../inference/tokenize';
import { recencyWeights, type LabelledCommit } from './commit-dataset';

/** Settings of the task-type naive Bayes: recency half-life (share of a repository's history) and smoothing. */
export interface TaskTypeTrainingSettings {
  halfLife: number;
  alpha: number;
  priorWeight: number;
  minimumCount: number;
}

/**
 * The shipped settings, chosen by `scripts/tune-task-type.ts` on the development split only (fit = older 80 % of
 * the older 80 % of each repository, validation = the newest 20 % of that older part); the held-out newest 20 % of
 * each repository was not used. Recent commits weigh more (label habits drift over time).
 */
export const taskTypeTrainingSettings: TaskTypeTrainingSettings = { halfLife: 0.5, alpha: 0.5, priorWeight: 0.5, minimumCount: 3 };

/** Trains the task-type naive Bayes on commit subjects (prefix already removed in the data). */
export function trainTaskTypeModel(
  rows: readonly LabelledCommit[],
  trainedOn: string,
  settings: Partial<TaskTypeTrainingSettings> = {},
): NaiveBayesModel {
  const { halfLife, alpha, priorWeight, minimumCount } = { ...taskTypeTrainingSettings, ...settings };
  const weights = recencyWeights(rows, halfLife);
  return trainNaiveBayes(
    rows.map((row, index) => ({ tokens: classifierFeatures(row.subject), label: row.taskType, weight: weights[index] })),
    taskTypes,
    { trainedOn, alpha, priorWeight, minimumCount },
  );
}

/** Trains the primary-domain naive Bayes on the rows with a derived domain. */
export function trainDomainModel(rows: readonly LabelledCommit[], trainedOn: string): NaiveBayesModel {
  return trainNaiveBayes(
    rows.filter((row) => row.primaryDomain !== undefined).map((row) => ({ tokens: classifierFeatures(row.subject), label: row.primaryDomain! })),
    domains,
    { trainedOn, alpha: 0.5, priorWeight: 0.5, minimumCount: 3 },
  );
}

/** Trains the task-type logistic regression (the shipped task-type classifier) on commit subjects. */
export function trainTaskTypeLogisticModel(rows: readonly LabelledCommit[], trainedOn: string): LogisticRegressionModel {
  return trainLogisticRegression(
    rows.map((row) => ({ tokens: classifierFeatures(row.subject), label: row.taskType })),
    taskTypes,
    { trainedOn, epochs: 15, learningRate: 0.5, l2: 1e-4, minimumCount: 3, seed: 1 },
  );
}
