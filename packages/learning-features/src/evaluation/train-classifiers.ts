import { domains, taskTypes } from '@orchestra/learning-types';
import { trainLogisticRegression, type LogisticRegressionModel } from '../inference/logistic-regression';
import { trainNaiveBayes, type NaiveBayesModel } from '../inference/naive-bayes';
import { classifierFeatures } from '../inference/tokenize';
import type { LabelledCommit } from './commit-dataset';

/** Trains the task-type naive Bayes on commit subjects (prefix already removed in the data). */
export function trainTaskTypeModel(rows: readonly LabelledCommit[], trainedOn: string): NaiveBayesModel {
  return trainNaiveBayes(
    rows.map((row) => ({ tokens: classifierFeatures(row.subject), label: row.taskType })),
    taskTypes,
    { trainedOn, alpha: 0.5, priorWeight: 0.5, minimumCount: 3 },
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
