import { domains, taskTypes, type Domain, type TaskType } from '@orchestra/learning-types';
import { inferTaskContext, type InferTaskContextOptions } from '../inference/infer-task-context';
import type { LabelledCommit } from './commit-dataset';

/** Accuracy and confusion matrix (`matrix[actual][predicted]`) of one evaluation. */
export interface EvaluationResult<Label extends string> {
  count: number;
  correct: number;
  accuracy: number;
  labels: readonly Label[];
  matrix: Record<Label, Record<Label, number>>;
}

function emptyMatrix<Label extends string>(labels: readonly Label[]): Record<Label, Record<Label, number>> {
  return Object.fromEntries(labels.map((actual) => [actual, Object.fromEntries(labels.map((predicted) => [predicted, 0]))])) as Record<
    Label,
    Record<Label, number>
  >;
}

/** Runs `inferTaskContext` on every subject (no files, no labels, prefix already removed) and scores the task type. */
export function evaluateTaskType(rows: readonly LabelledCommit[], options: InferTaskContextOptions): EvaluationResult<TaskType> {
  const matrix = emptyMatrix(taskTypes);
  let correct = 0;
  for (const row of rows) {
    const predicted = inferTaskContext({ description: row.subject }, options).context.taskType;
    matrix[row.taskType][predicted] += 1;
    if (predicted === row.taskType) correct += 1;
  }
  return { count: rows.length, correct, accuracy: rows.length === 0 ? 0 : correct / rows.length, labels: taskTypes, matrix };
}

/** Scores the primary domain on the rows with a derived domain (optionally only those derived from the scope). */
export function evaluatePrimaryDomain(
  rows: readonly LabelledCommit[],
  options: InferTaskContextOptions,
  onlyFromScope = false,
): EvaluationResult<Domain> {
  const matrix = emptyMatrix(domains);
  let correct = 0;
  let count = 0;
  for (const row of rows) {
    if (row.primaryDomain === undefined || (onlyFromScope && row.domainSource !== 'scope')) continue;
    const predicted = inferTaskContext({ description: row.subject }, options).context.domains[0]!;
    matrix[row.primaryDomain][predicted] += 1;
    count += 1;
    if (predicted === row.primaryDomain) correct += 1;
  }
  return { count, correct, accuracy: count === 0 ? 0 : correct / count, labels: domains, matrix };
}

/** Accuracy of always answering the most common label of `training` (the floor any method must beat). */
export function majorityBaseline(training: readonly LabelledCommit[], test: readonly LabelledCommit[]): { label: TaskType; accuracy: number } {
  const counts = new Map<TaskType, number>();
  for (const row of training) counts.set(row.taskType, (counts.get(row.taskType) ?? 0) + 1);
  const label = [...counts.entries()].sort((left, right) => right[1] - left[1])[0]?.[0] ?? 'chore';
  return { label, accuracy: test.length === 0 ? 0 : test.filter((row) => row.taskType === label).length / test.length };
}

/** Formats a confusion matrix as a fixed-width text table (rows: actual, columns: predicted). */
export function formatConfusion<Label extends string>(result: EvaluationResult<Label>, abbreviations = 5): string {
  const labels = result.labels.filter(
    (label) => Object.values<number>(result.matrix[label]).some((value) => value > 0) || result.labels.some((actual) => result.matrix[actual][label] > 0),
  );
  const head = ['actual\\pred'.padEnd(14), ...labels.map((label) => label.slice(0, abbreviations).padStart(abbreviations + 1)), '  recall'].join('');
  const lines = labels.map((actual) => {
    const row = result.matrix[actual];
    const total = Object.values<number>(row).reduce((sum, value) => sum + value, 0);
    return [
      actual.padEnd(14),
      ...labels.map((predicted) => String(row[predicted]).padStart(abbreviations + 1)),
      (total === 0 ? '     -' : `${((100 * row[actual]) / total).toFixed(0)}%`.padStart(8)),
    ].join('');
  });
  return [head, ...lines].join('\n');
}

/** One confidence bucket: how many predictions fell in it, their mean confidence and their accuracy. */
export interface CalibrationBucket {
  low: number;
  high: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/** Reliability of `taskType.confidence`: accuracy per confidence bucket (well calibrated when they agree). */
export function taskTypeCalibration(rows: readonly LabelledCommit[], options: InferTaskContextOptions, edges = [0, 0.2, 0.4, 0.6, 0.8, 1]): CalibrationBucket[] {
  const buckets = edges.slice(0, -1).map((low, index) => ({ low, high: edges[index + 1]!, count: 0, confidence: 0, correct: 0 }));
  for (const row of rows) {
    const result = inferTaskContext({ description: row.subject }, options);
    const confidence = result.taskType.confidence;
    const bucket = buckets.find((candidate, index) => confidence >= candidate.low && (confidence < candidate.high || index === buckets.length - 1))!;
    bucket.count += 1;
    bucket.confidence += confidence;
    if (result.context.taskType === row.taskType) bucket.correct += 1;
  }
  return buckets.map((bucket) => ({
    low: bucket.low,
    high: bucket.high,
    count: bucket.count,
    meanConfidence: bucket.count === 0 ? 0 : bucket.confidence / bucket.count,
    accuracy: bucket.count === 0 ? 0 : bucket.correct / bucket.count,
  }));
}
