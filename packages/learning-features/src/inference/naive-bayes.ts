import { validate } from '@orchestra/learning-types';
import { z } from 'zod';

/** JSON form of a multinomial naive Bayes token classifier (counts, so it can be inspected and re-smoothed). */
export const naiveBayesModelSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal('multinomial-naive-bayes'),
    labels: z.array(z.string().min(1)).min(2),
    /** Additive (Laplace) smoothing. */
    alpha: z.number().positive(),
    /** Weight of the class prior: 1 = training frequencies, 0 = uniform (robust when class mix changes). */
    priorWeight: z.number().min(0).max(1),
    documentCounts: z.array(z.number().nonnegative()),
    /**
     * token → sparse counts as flat pairs `[labelIndex, count, labelIndex, count, …]` (labels with 0 left out).
     * Counts are integers, or weighted counts (one decimal) when the training documents had weights.
     */
    tokenCounts: z.record(z.string(), z.array(z.number().nonnegative())),
    /** Where the training data came from. */
    trainedOn: z.string(),
  })
  .refine((model) => model.documentCounts.length === model.labels.length, { message: 'one document count per label', path: ['documentCounts'] })
  .refine((model) => Object.values(model.tokenCounts).every((pairs) => pairs.length % 2 === 0 && pairs.every((value, index) => index % 2 === 1 || (Number.isInteger(value) && value < model.labels.length))), {
    message: 'token counts must be [labelIndex, count] pairs with a known label index',
    path: ['tokenCounts'],
  });
/** JSON form of a naive Bayes model. */
export type NaiveBayesModel = z.infer<typeof naiveBayesModelSchema>;

/** One labelled training document. */
export interface LabelledTokens {
  tokens: readonly string[];
  label: string;
  /** Example weight (e.g. larger for recent examples); default 1. */
  weight?: number;
}

/** Options of `trainNaiveBayes`. */
export interface NaiveBayesTrainingOptions {
  alpha?: number;
  priorWeight?: number;
  /** Drop tokens seen fewer times than this over all documents (keeps the shipped JSON small). Default 2. */
  minimumCount?: number;
  trainedOn?: string;
}

/** Counts tokens per label. Deterministic: the same documents always give the same JSON. */
export function trainNaiveBayes(
  documents: readonly LabelledTokens[],
  labels: readonly string[],
  options: NaiveBayesTrainingOptions = {},
): NaiveBayesModel {
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const documentCounts = new Array<number>(labels.length).fill(0);
  const counts = new Map<string, number[]>();
  for (const document of documents) {
    const index = labelIndex.get(document.label);
    if (index === undefined) throw new RangeError(`trainNaiveBayes: label ${JSON.stringify(document.label)} is not in labels`);
    const weight = Math.max(0, document.weight ?? 1);
    documentCounts[index]! += weight;
    for (const token of document.tokens) {
      let row = counts.get(token);
      if (row === undefined) {
        row = new Array<number>(labels.length).fill(0);
        counts.set(token, row);
      }
      row[index]! += weight;
    }
  }
  const minimumCount = options.minimumCount ?? 2;
  const tokenCounts: Record<string, number[]> = {};
  const occurrences = new Map<string, number>();
  for (const document of documents) for (const token of document.tokens) occurrences.set(token, (occurrences.get(token) ?? 0) + 1);
  const roundCount = (value: number): number => Math.round(value * 10) / 10;
  for (const token of [...counts.keys()].sort()) {
    const row = counts.get(token)!;
    // The minimum is on raw occurrences, so weighting never changes the vocabulary.
    if (occurrences.get(token)! < minimumCount) continue;
    const pairs: number[] = [];
    row.forEach((count, index) => {
      const rounded = roundCount(count);
      if (rounded > 0) pairs.push(index, rounded);
    });
    if (pairs.length === 0) continue;
    tokenCounts[token] = pairs;
  }
  return {
    version: 1,
    kind: 'multinomial-naive-bayes',
    labels: [...labels],
    alpha: options.alpha ?? 0.5,
    priorWeight: options.priorWeight ?? 0.5,
    documentCounts: documentCounts.map(roundCount),
    tokenCounts,
    trainedOn: options.trainedOn ?? 'unspecified',
  };
}

/** A prediction: the best label, the probability of every label, and the tokens that pushed most towards it. */
export interface NaiveBayesPrediction {
  label: string;
  probability: number;
  probabilities: Record<string, number>;
  /** Known tokens ordered by how much they favour `label` over the other labels. */
  evidence: string[];
  /** How many of the input tokens the model knows. */
  knownTokens: number;
}

/** A loaded naive Bayes model with precomputed log-probabilities. */
export class NaiveBayesClassifier {
  readonly labels: readonly string[];
  private readonly logPriors: Float64Array;
  private readonly logLikelihoods: Map<string, Float64Array>;

  constructor(model: NaiveBayesModel) {
    const parsed = validate(naiveBayesModelSchema, model, 'NaiveBayesModel');
    this.labels = parsed.labels;
    const classes = parsed.labels.length;
    const totalDocuments = parsed.documentCounts.reduce((sum, value) => sum + value, 0);
    this.logPriors = new Float64Array(classes);
    for (let index = 0; index < classes; index += 1) {
      const frequency = (parsed.documentCounts[index]! + 1) / (totalDocuments + classes);
      this.logPriors[index] = parsed.priorWeight * Math.log(frequency) + (1 - parsed.priorWeight) * Math.log(1 / classes);
    }
    const entries = Object.entries(parsed.tokenCounts).map(([token, pairs]) => {
      const row = new Float64Array(classes);
      for (let index = 0; index < pairs.length; index += 2) row[pairs[index]!]! += pairs[index + 1]!;
      return [token, row] as const;
    });
    const vocabulary = entries.length;
    const tokenTotals = new Float64Array(classes);
    for (const [, row] of entries) for (let index = 0; index < classes; index += 1) tokenTotals[index]! += row[index]!;
    this.logLikelihoods = new Map();
    for (const [token, row] of entries) {
      const logs = new Float64Array(classes);
      for (let index = 0; index < classes; index += 1) {
        logs[index] = Math.log((row[index]! + parsed.alpha) / (tokenTotals[index]! + parsed.alpha * vocabulary));
      }
      this.logLikelihoods.set(token, logs);
    }
  }

  /** Class probabilities for a bag of tokens (unknown tokens are ignored; no known token gives the prior). */
  predict(tokens: readonly string[]): NaiveBayesPrediction {
    const classes = this.labels.length;
    const scores = Float64Array.from(this.logPriors);
    const known: Float64Array[] = [];
    const knownNames: string[] = [];
    for (const token of tokens) {
      const logs = this.logLikelihoods.get(token);
      if (logs === undefined) continue;
      known.push(logs);
      knownNames.push(token);
      for (let index = 0; index < classes; index += 1) scores[index]! += logs[index]!;
    }
    let best = 0;
    for (let index = 1; index < classes; index += 1) if (scores[index]! > scores[best]!) best = index;
    let sum = 0;
    const probabilities: Record<string, number> = {};
    for (let index = 0; index < classes; index += 1) sum += Math.exp(scores[index]! - scores[best]!);
    for (let index = 0; index < classes; index += 1) probabilities[this.labels[index]!] = Math.exp(scores[index]! - scores[best]!) / sum;
    const lift = known.map((logs, position) => {
      let others = 0;
      for (let index = 0; index < classes; index += 1) if (index !== best) others += Math.exp(logs[index]!);
      return { token: knownNames[position]!, lift: logs[best]! - Math.log(others / (classes - 1)) };
    });
    const evidence = [...new Map(lift.filter((item) => item.lift > 0.5).map((item) => [item.token, item])).values()]
      .sort((left, right) => right.lift - left.lift)
      .slice(0, 5)
      .map((item) => item.token);
    return { label: this.labels[best]!, probability: probabilities[this.labels[best]!]!, probabilities, evidence, knownTokens: known.length };
  }
}
