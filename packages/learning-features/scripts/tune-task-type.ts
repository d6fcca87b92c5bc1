/**
 * Hyper-parameter selection for the task-type classifier, on the development data only:
 * fit = the older 80 % of the older 80 % of each repository, validation = the newest 20 % of that older 80 %.
 * The held-out newest 20 % of each repository is not loaded here. Run:
 * `node --import tsx scripts/tune-task-type.ts` (deterministic; prints one row per candidate).
 */
import { taskTypes } from '@orchestra/learning-types';
import { loadLabelledCommits, recencyWeights, splitByCommitOrder } from '../src/evaluation/commit-dataset';
import { evaluateTaskType } from '../src/evaluation/evaluate';
import { trainTaskTypeModel } from '../src/evaluation/train-classifiers';
import type { TokenClassifier } from '../src/inference/infer-task-context';
import { LinearTextClassifier, trainLinearTextClassifier, type LinearTextTrainingOptions } from '../src/inference/linear-text-classifier';
import { NaiveBayesClassifier } from '../src/inference/naive-bayes';

const { older: development } = splitByCommitOrder(loadLabelledCommits());
const { older: fit, newest: validation } = splitByCommitOrder(development);
const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;
const only = process.argv[2];

const candidates: Array<[string, () => TokenClassifier]> = [];
for (const halfLife of [Number.POSITIVE_INFINITY, 0.5, 0.25, 0.1]) {
  for (const alpha of [0.5, 1]) {
    for (const priorWeight of [0.5, 1]) {
      candidates.push([`naive Bayes (words), half-life ${halfLife}, alpha ${alpha}, prior weight ${priorWeight}`, () => new NaiveBayesClassifier(trainTaskTypeModel(fit, 'fit', { halfLife, alpha, priorWeight }))]);
    }
  }
}
const linear: Array<[string, LinearTextTrainingOptions & { halfLife?: number }]> = [
  ['multinomial naive Bayes, words, alpha 1, half-life 0.25', { trainer: 'multinomial-naive-bayes', characterGrams: [], alpha: 1, halfLife: 0.25 }],
  ['multinomial naive Bayes, words, alpha 1, half-life 0.1', { trainer: 'multinomial-naive-bayes', characterGrams: [], alpha: 1, halfLife: 0.1 }],
  ['multinomial naive Bayes, words, alpha 2, half-life 0.25', { trainer: 'multinomial-naive-bayes', characterGrams: [], alpha: 2, halfLife: 0.25 }],
  ['multinomial naive Bayes, words + chars 0.3, alpha 1, half-life 0.25', { trainer: 'multinomial-naive-bayes', characterGrams: [3, 4, 5], characterWeight: 0.3, alpha: 1, halfLife: 0.25 }],
  ['logistic regression, words + chars 0.5, half-life 0.1', { characterGrams: [3, 4, 5], characterWeight: 0.5, l2: 0, halfLife: 0.1 }],
  ['logistic regression, words, half-life 0.05', { characterGrams: [], l2: 0, halfLife: 0.05 }],
  ['multinomial naive Bayes, words', { trainer: 'multinomial-naive-bayes', characterGrams: [] }],
  ['multinomial naive Bayes, words, alpha 0.1', { trainer: 'multinomial-naive-bayes', characterGrams: [], alpha: 0.1 }],
  ['multinomial naive Bayes, words, balance 0.5', { trainer: 'multinomial-naive-bayes', characterGrams: [], balance: 0.5 }],
  ['multinomial naive Bayes, words, half-life 0.25', { trainer: 'multinomial-naive-bayes', characterGrams: [], halfLife: 0.25 }],
  ['multinomial naive Bayes, words + chars', { trainer: 'multinomial-naive-bayes', characterGrams: [3, 4, 5] }],
  ['multinomial naive Bayes, words + chars, alpha 0.1', { trainer: 'multinomial-naive-bayes', characterGrams: [3, 4, 5], alpha: 0.1 }],
  ['logistic regression, words, half-life 0.25', { characterGrams: [], l2: 0, halfLife: 0.25 }],
  ['logistic regression, words, half-life 0.1', { characterGrams: [], l2: 0, halfLife: 0.1 }],
  ['logistic regression, words, 5 epochs', { characterGrams: [], l2: 0, epochs: 5 }],
  ['logistic regression, words, 3 epochs', { characterGrams: [], l2: 0, epochs: 3 }],
  ['complement naive Bayes, words + chars, balance 1, half-life 0.25', { trainer: 'complement-naive-bayes', characterGrams: [3, 4, 5], balance: 1, halfLife: 0.25 }],
  ['complement naive Bayes, words, balance 0.5', { trainer: 'complement-naive-bayes', characterGrams: [], balance: 0.5 }],
  ['logistic regression, words', { characterGrams: [], l2: 0 }],
  ['logistic regression, words, balance 0.5', { characterGrams: [], l2: 0, balance: 0.5 }],
  ['logistic regression, words + chars 3-5', { characterGrams: [3, 4, 5], l2: 0 }],
  ['logistic regression, words + chars 3-5 (weight 0.5)', { characterGrams: [3, 4, 5], characterWeight: 0.5, l2: 0 }],
  ['complement naive Bayes, words, balance 1', { trainer: 'complement-naive-bayes', characterGrams: [], balance: 1 }],
  ['complement naive Bayes, words + chars, balance 1', { trainer: 'complement-naive-bayes', characterGrams: [3, 4, 5], balance: 1 }],
];
for (const [name, options] of linear) {
  const weights = recencyWeights(fit, options.halfLife ?? Number.POSITIVE_INFINITY);
  candidates.push([name, () => new LinearTextClassifier(trainLinearTextClassifier(fit.map((row, index) => ({ text: row.subject, label: row.taskType, weight: weights[index] })), taskTypes, { ...options, trainedOn: 'fit' }))]);
}
console.log(`fit ${fit.length} rows, validation ${validation.length} rows (newest 20 % of the older 80 % of each repository)`);
if (only === 'smoothing') {
  const classifier = new NaiveBayesClassifier(trainTaskTypeModel(fit, 'fit'));
  console.log('| smoothing | rule weight 0.5 | 1 | 2 |');
  for (const classifierSmoothing of [0, 0.05, 0.1, 0.2, 0.3, 0.5]) {
    const results = [0.5, 1, 2].map((ruleWeight) => evaluateTaskType(validation, { method: 'combined', taskTypeClassifier: classifier, domainClassifier: null, ruleWeight, classifierSmoothing }).accuracy);
    console.log(`| ${classifierSmoothing} | ${results.map(percent).join(' | ')} |`);
  }
  process.exit(0);
}
const rules = evaluateTaskType(validation, { method: 'rules', domainClassifier: null }).accuracy;
console.log(`| candidate | classifier | combined w=0.25 | w=0.5 | w=1 | w=2 |`);
console.log(`| rules only | ${percent(rules)} | | | | |`);
for (const [name, build] of candidates) {
  if (only !== undefined && !name.includes(only)) continue;
  const classifier = build();
  const results = [evaluateTaskType(validation, { method: 'classifier', taskTypeClassifier: classifier, domainClassifier: null }).accuracy];
  for (const ruleWeight of [0.25, 0.5, 1, 2]) results.push(evaluateTaskType(validation, { method: 'combined', taskTypeClassifier: classifier, domainClassifier: null, ruleWeight }).accuracy);
  console.log(`| ${name} | ${results.map(percent).join(' | ')} |`);
}
