import { validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { createRng } from '../random';
import type { LabelledTokens, NaiveBayesPrediction } from './naive-bayes';

/** JSON form of a multinomial logistic-regression token classifier (sparse weights). */
export const logisticRegressionModelSchema = z.object({
  version: z.literal(1),
  kind: z.literal('multinomial-logistic-regression'),
  labels: z.array(z.string().min(1)).min(2),
  bias: z.array(z.number().finite()),
  /** token → flat pairs `[labelIndex, weight, …]` (near-zero weights left out). */
  weights: z.record(z.string(), z.array(z.number().finite())),
  trainedOn: z.string(),
});
/** JSON form of a logistic-regression model. */
export type LogisticRegressionModel = z.infer<typeof logisticRegressionModelSchema>;

/** Options of `trainLogisticRegression`. */
export interface LogisticRegressionTrainingOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty per update (weight decay). */
  l2?: number;
  /** Tokens seen fewer times are ignored. Default 3. */
  minimumCount?: number;
  /** Seed of the shuffling. */
  seed?: number;
  trainedOn?: string;
}

/**
 * Trains a softmax regression on binary token features (each document's features scaled to unit length) with plain
 * SGD, seeded shuffling and L2 decay. Deterministic for a seed.
 */
export function trainLogisticRegression(
  documents: readonly LabelledTokens[],
  labels: readonly string[],
  options: LogisticRegressionTrainingOptions = {},
): LogisticRegressionModel {
  const classes = labels.length;
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const counts = new Map<string, number>();
  for (const document of documents) for (const token of new Set(document.tokens)) counts.set(token, (counts.get(token) ?? 0) + 1);
  const minimumCount = options.minimumCount ?? 3;
  const vocabulary = [...counts.entries()].filter(([, count]) => count >= minimumCount).map(([token]) => token).sort();
  const tokenIndex = new Map(vocabulary.map((token, index) => [token, index]));
  const encoded = documents.map((document) => {
    const label = labelIndex.get(document.label);
    if (label === undefined) throw new RangeError(`trainLogisticRegression: label ${JSON.stringify(document.label)} is not in labels`);
    const features = Int32Array.from(new Set(document.tokens.map((token) => tokenIndex.get(token)).filter((index): index is number => index !== undefined)));
    return { label, features };
  });
  const weights = new Float64Array(vocabulary.length * classes);
  const bias = new Float64Array(classes);
  const scores = new Float64Array(classes);
  const epochs = options.epochs ?? 15;
  const l2 = options.l2 ?? 1e-4;
  const random = createRng(options.seed ?? 1);
  const order = encoded.map((_, index) => index);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = random.nextInt(index + 1);
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    const learningRate = (options.learningRate ?? 0.5) / (1 + epoch * 0.5);
    for (const position of order) {
      const { label, features } = encoded[position]!;
      const scale = features.length === 0 ? 0 : 1 / Math.sqrt(features.length);
      for (let target = 0; target < classes; target += 1) {
        let score = bias[target]!;
        for (const feature of features) score += weights[feature * classes + target]! * scale;
        scores[target] = score;
      }
      let maximum = Number.NEGATIVE_INFINITY;
      for (const score of scores) if (score > maximum) maximum = score;
      let sum = 0;
      for (let target = 0; target < classes; target += 1) {
        scores[target] = Math.exp(scores[target]! - maximum);
        sum += scores[target]!;
      }
      for (let target = 0; target < classes; target += 1) {
        const gradient = scores[target]! / sum - (target === label ? 1 : 0);
        bias[target] = bias[target]! - learningRate * gradient;
        for (const feature of features) {
          const slot = feature * classes + target;
          weights[slot] = weights[slot]! - learningRate * (gradient * scale + l2 * weights[slot]!);
        }
      }
    }
  }
  const sparse: Record<string, number[]> = {};
  vocabulary.forEach((token, feature) => {
    const pairs: number[] = [];
    for (let target = 0; target < classes; target += 1) {
      const weight = weights[feature * classes + target]!;
      if (Math.abs(weight) >= 0.01) pairs.push(target, Math.round(weight * 1000) / 1000);
    }
    if (pairs.length > 0) sparse[token] = pairs;
  });
  return {
    version: 1,
    kind: 'multinomial-logistic-regression',
    labels: [...labels],
    bias: Array.from(bias, (value) => Math.round(value * 1000) / 1000),
    weights: sparse,
    trainedOn: options.trainedOn ?? 'unspecified',
  };
}

/** A loaded logistic-regression model; `predict` has the same shape as the naive Bayes classifier's. */
export class LogisticRegressionClassifier {
  readonly labels: readonly string[];
  private readonly bias: Float64Array;
  private readonly weights: Map<string, Float64Array>;

  constructor(model: LogisticRegressionModel) {
    const parsed = validate(logisticRegressionModelSchema, model, 'LogisticRegressionModel');
    this.labels = parsed.labels;
    this.bias = Float64Array.from(parsed.bias);
    this.weights = new Map(
      Object.entries(parsed.weights).map(([token, pairs]) => {
        const row = new Float64Array(parsed.labels.length);
        for (let index = 0; index < pairs.length; index += 2) row[pairs[index]!] = pairs[index + 1]!;
        return [token, row];
      }),
    );
  }

  /** Class probabilities for a bag of tokens. */
  predict(tokens: readonly string[]): NaiveBayesPrediction {
    const classes = this.labels.length;
    const unique = [...new Set(tokens)].filter((token) => this.weights.has(token));
    const scale = unique.length === 0 ? 0 : 1 / Math.sqrt(unique.length);
    const scores = Float64Array.from(this.bias);
    for (const token of unique) {
      const row = this.weights.get(token)!;
      for (let index = 0; index < classes; index += 1) scores[index]! += row[index]! * scale;
    }
    let best = 0;
    for (let index = 1; index < classes; index += 1) if (scores[index]! > scores[best]!) best = index;
    let sum = 0;
    for (let index = 0; index < classes; index += 1) sum += Math.exp(scores[index]! - scores[best]!);
    const probabilities: Record<string, number> = {};
    for (let index = 0; index < classes; index += 1) probabilities[this.labels[index]!] = Math.exp(scores[index]! - scores[best]!) / sum;
    const evidence = unique
      .map((token) => ({ token, weight: this.weights.get(token)![best]! }))
      .filter((item) => item.weight > 0)
      .sort((left, right) => right.weight - left.weight)
      .slice(0, 5)
      .map((item) => item.token);
    return { label: this.labels[best]!, probability: probabilities[this.labels[best]!]!, probabilities, evidence, knownTokens: unique.length };
  }
}
