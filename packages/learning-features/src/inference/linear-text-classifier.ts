import { validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { createRng } from '../random';
import type { NaiveBayesPrediction } from './naive-bayes';
import { classifierFeatures } from './tokenize';

/**
 * A linear text classifier for short texts (task titles, commit subjects): word unigrams + bigrams and character
 * 3–5-grams, each block weighted by inverse document frequency and scaled to unit length by its raw feature count,
 * then one weight vector per class. Trained as a softmax regression (seeded SGD) or as a complement naive Bayes;
 * both give the same compact JSON (weights quantised to integers, only the strongest features per class kept).
 */
export const linearTextModelSchema = z.object({
  version: z.literal(1),
  kind: z.literal('linear-text-classifier'),
  /** `'logistic-regression'` or `'complement-naive-bayes'`: how the weights were fitted. */
  trainer: z.string(),
  labels: z.array(z.string().min(1)).min(2),
  /** Character n-gram lengths used (empty: words only). */
  characterGrams: z.array(z.number().int().min(1).max(8)),
  /** Weight of the character block against the word block. */
  characterWeight: z.number().nonnegative(),
  /** Integer weights are multiplied by this. */
  scale: z.number().positive(),
  bias: z.array(z.number().finite()),
  /** feature → flat pairs `[labelIndex, integerWeight, …]`; word features as is, character grams prefixed `#`. */
  weights: z.record(z.string(), z.array(z.number().int())),
  trainedOn: z.string(),
});
/** JSON form of a linear text classifier. */
export type LinearTextModel = z.infer<typeof linearTextModelSchema>;

/** One labelled training text. */
export interface LabelledText {
  text: string;
  label: string;
  /** Example weight (e.g. larger for recent examples); default 1. */
  weight?: number;
}

/** Options of `trainLinearTextClassifier`. */
export interface LinearTextTrainingOptions {
  /** `'logistic-regression'` (default) or `'complement-naive-bayes'`. */
  trainer?: 'logistic-regression' | 'complement-naive-bayes' | 'multinomial-naive-bayes';
  /** Character n-gram lengths; default [3, 4, 5]. */
  characterGrams?: readonly number[];
  /** Weight of the character block; default 1. */
  characterWeight?: number;
  /** Features in fewer documents are dropped; default 2. */
  minimumDocumentFrequency?: number;
  /** SGD epochs (logistic regression); default 12. */
  epochs?: number;
  /** Initial learning rate (logistic regression); default 0.5. */
  learningRate?: number;
  /** L2 decay per update (logistic regression); default 1e-5. */
  l2?: number;
  /** Weight examples inversely to their class frequency to the power `balance` (0 = none, 1 = balanced); default 0. */
  balance?: number;
  /** Naive Bayes smoothing (complement and multinomial); default 0.5. */
  alpha?: number;
  /** Keep at most this many features per class (by |weight|); default 4000. */
  featuresPerClass?: number;
  /** Quantisation step count of the largest weight; default 127 (weights fit in a signed byte). */
  quantisationLevels?: number;
  /** Seed of the shuffling. Default 1. */
  seed?: number;
  trainedOn?: string;
}

interface SparseFeatures {
  names: string[];
  values: number[];
}

/** The character n-grams of a text (lower-cased, whitespace folded, padded with spaces), prefixed `#`. */
export function characterGrams(text: string, lengths: readonly number[]): string[] {
  const normalised = ` ${text.toLowerCase().replace(/\d+/gu, '0').replace(/\s+/gu, ' ').trim()} `;
  const grams: string[] = [];
  for (const length of lengths) {
    for (let start = 0; start + length <= normalised.length; start += 1) grams.push(`#${normalised.slice(start, start + length)}`);
  }
  return grams;
}

/** Raw feature blocks of a text: unique word features and unique character grams. */
function rawFeatures(text: string, lengths: readonly number[]): { words: string[]; characters: string[] } {
  return {
    words: [...new Set(classifierFeatures(text))],
    characters: lengths.length === 0 ? [] : [...new Set(characterGrams(text.slice(0, 500), lengths))],
  };
}

/** Binary features with weights `idf / sqrt(block size)` per block (the norm uses the raw count, so pruning is safe). */
function weighted(
  raw: { words: string[]; characters: string[] },
  idf: ReadonlyMap<string, number>,
  characterWeight: number,
): SparseFeatures {
  const names: string[] = [];
  const values: number[] = [];
  const add = (block: string[], weight: number): void => {
    if (block.length === 0) return;
    const norm = weight / Math.sqrt(block.length);
    for (const name of block) {
      const value = idf.get(name);
      if (value === undefined) continue;
      names.push(name);
      values.push(value * norm);
    }
  };
  add(raw.words, 1);
  add(raw.characters, characterWeight);
  return { names, values };
}

/**
 * Trains a linear text classifier. Deterministic: the same texts and options give the same JSON. The inverse
 * document frequencies are folded into the shipped weights.
 */
export function trainLinearTextClassifier(
  documents: readonly LabelledText[],
  labels: readonly string[],
  options: LinearTextTrainingOptions = {},
): LinearTextModel {
  const classes = labels.length;
  const lengths = [...(options.characterGrams ?? [3, 4, 5])];
  const characterWeight = options.characterWeight ?? 1;
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const raws = documents.map((document) => rawFeatures(document.text, lengths));
  const documentFrequency = new Map<string, number>();
  for (const raw of raws) for (const name of [...raw.words, ...raw.characters]) documentFrequency.set(name, (documentFrequency.get(name) ?? 0) + 1);
  const minimum = options.minimumDocumentFrequency ?? 2;
  const vocabulary = [...documentFrequency.entries()].filter(([, count]) => count >= minimum).map(([name]) => name).sort();
  const featureIndex = new Map(vocabulary.map((name, index) => [name, index]));
  const idf = new Map(vocabulary.map((name) => [name, Math.log((documents.length + 1) / (documentFrequency.get(name)! + 1)) + 1]));
  const encoded = documents.map((document, position) => {
    const label = labelIndex.get(document.label);
    if (label === undefined) throw new RangeError(`trainLinearTextClassifier: label ${JSON.stringify(document.label)} is not in labels`);
    const sparse = weighted(raws[position]!, idf, characterWeight);
    const weight = Math.max(0, document.weight ?? 1);
    return { label, weight, indices: Int32Array.from(sparse.names, (name) => featureIndex.get(name)!), values: Float64Array.from(sparse.values) };
  });
  const classCounts = new Float64Array(classes);
  for (const document of encoded) classCounts[document.label]! += document.weight;
  const weights = new Float64Array(vocabulary.length * classes);
  const bias = new Float64Array(classes);
  const trainer = options.trainer ?? 'logistic-regression';
  if (trainer === 'multinomial-naive-bayes') {
    // Multinomial NB over the weighted features (as on tf-idf vectors); weights centred per feature below.
    const alpha = options.alpha ?? 0.5;
    const totals = new Float64Array(vocabulary.length * classes);
    const classTotals = new Float64Array(classes);
    for (const document of encoded) {
      for (let position = 0; position < document.indices.length; position += 1) {
        totals[document.indices[position]! * classes + document.label]! += document.weight * document.values[position]!;
        classTotals[document.label]! += document.weight * document.values[position]!;
      }
    }
    for (let feature = 0; feature < vocabulary.length; feature += 1) {
      let mean = 0;
      for (let target = 0; target < classes; target += 1) {
        const weight = Math.log((totals[feature * classes + target]! + alpha) / (classTotals[target]! + alpha * vocabulary.length));
        weights[feature * classes + target] = weight;
        mean += weight / classes;
      }
      for (let target = 0; target < classes; target += 1) weights[feature * classes + target]! -= mean;
    }
    const total = classCounts.reduce((sum, value) => sum + value, 0);
    for (let target = 0; target < classes; target += 1) bias[target] = (1 - (options.balance ?? 0)) * Math.log((classCounts[target]! + 1) / (total + classes));
  } else if (trainer === 'complement-naive-bayes') {
    // Complement NB (Rennie et al. 2003): weight of class c = −log P(feature | not c), normalised per class.
    const alpha = options.alpha ?? 0.5;
    const totals = new Float64Array(vocabulary.length * classes);
    for (const document of encoded) {
      for (let position = 0; position < document.indices.length; position += 1) totals[document.indices[position]! * classes + document.label]! += document.weight * document.values[position]!;
    }
    const featureTotals = new Float64Array(vocabulary.length);
    const classTotals = new Float64Array(classes);
    for (let feature = 0; feature < vocabulary.length; feature += 1) {
      for (let target = 0; target < classes; target += 1) {
        featureTotals[feature]! += totals[feature * classes + target]!;
        classTotals[target]! += totals[feature * classes + target]!;
      }
    }
    const grandTotal = classTotals.reduce((sum, value) => sum + value, 0);
    for (let target = 0; target < classes; target += 1) {
      const complementTotal = grandTotal - classTotals[target]! + alpha * vocabulary.length;
      let norm = 0;
      for (let feature = 0; feature < vocabulary.length; feature += 1) {
        const complement = featureTotals[feature]! - totals[feature * classes + target]! + alpha;
        const weight = -Math.log(complement / complementTotal);
        weights[feature * classes + target] = weight;
        norm += Math.abs(weight);
      }
      // Centre each feature's weights across classes below; the normalisation keeps classes comparable.
      for (let feature = 0; feature < vocabulary.length; feature += 1) weights[feature * classes + target]! *= vocabulary.length / norm;
    }
    for (let feature = 0; feature < vocabulary.length; feature += 1) {
      let mean = 0;
      for (let target = 0; target < classes; target += 1) mean += weights[feature * classes + target]!;
      mean /= classes;
      for (let target = 0; target < classes; target += 1) weights[feature * classes + target]! -= mean;
    }
    const total = classCounts.reduce((sum, value) => sum + value, 0);
    for (let target = 0; target < classes; target += 1) bias[target] = (1 - (options.balance ?? 0)) * Math.log((classCounts[target]! + 1) / (total + classes));
  } else {
    const balance = options.balance ?? 0;
    const meanCount = classCounts.reduce((sum, value) => sum + value, 0) / Math.max(1, classCounts.filter((count) => count > 0).length);
    const exampleWeight = Float64Array.from(classCounts, (count) => (count === 0 ? 0 : Math.min(10, (meanCount / count) ** balance)));
    const scores = new Float64Array(classes);
    const epochs = options.epochs ?? 12;
    const l2 = options.l2 ?? 1e-5;
    const random = createRng(options.seed ?? 1);
    const order = encoded.map((_, index) => index);
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      for (let index = order.length - 1; index > 0; index -= 1) {
        const other = random.nextInt(index + 1);
        [order[index], order[other]] = [order[other]!, order[index]!];
      }
      const learningRate = (options.learningRate ?? 0.5) / (1 + epoch * 0.5);
      for (const position of order) {
        const { label, indices, values, weight } = encoded[position]!;
        for (let target = 0; target < classes; target += 1) {
          let score = bias[target]!;
          for (let slot = 0; slot < indices.length; slot += 1) score += weights[indices[slot]! * classes + target]! * values[slot]!;
          scores[target] = score;
        }
        let maximum = Number.NEGATIVE_INFINITY;
        for (const score of scores) if (score > maximum) maximum = score;
        let sum = 0;
        for (let target = 0; target < classes; target += 1) {
          scores[target] = Math.exp(scores[target]! - maximum);
          sum += scores[target]!;
        }
        const step = learningRate * exampleWeight[label]! * weight;
        for (let target = 0; target < classes; target += 1) {
          const gradient = scores[target]! / sum - (target === label ? 1 : 0);
          bias[target] = bias[target]! - step * gradient;
          for (let slot = 0; slot < indices.length; slot += 1) {
            const index = indices[slot]! * classes + target;
            weights[index] = weights[index]! - step * gradient * values[slot]! - learningRate * l2 * weights[index]!;
          }
        }
      }
    }
  }
  return compact(weights, bias, vocabulary, idf, labels, {
    trainer,
    characterGrams: lengths,
    characterWeight,
    featuresPerClass: options.featuresPerClass ?? 4000,
    levels: options.quantisationLevels ?? 127,
    trainedOn: options.trainedOn ?? 'unspecified',
  });
}

/** Folds idf into the weights, keeps the strongest features per class and quantises to integers. */
function compact(
  weights: Float64Array,
  bias: Float64Array,
  vocabulary: readonly string[],
  idf: ReadonlyMap<string, number>,
  labels: readonly string[],
  settings: { trainer: string; characterGrams: number[]; characterWeight: number; featuresPerClass: number; levels: number; trainedOn: string },
): LinearTextModel {
  const classes = labels.length;
  const folded = new Float64Array(weights.length);
  vocabulary.forEach((name, feature) => {
    const value = idf.get(name)!;
    for (let target = 0; target < classes; target += 1) folded[feature * classes + target] = weights[feature * classes + target]! * value;
  });
  const keep = new Set<number>();
  for (let target = 0; target < classes; target += 1) {
    const ranked = vocabulary.map((_, feature) => feature).sort((left, right) => Math.abs(folded[right * classes + target]!) - Math.abs(folded[left * classes + target]!) || left - right);
    for (const feature of ranked.slice(0, settings.featuresPerClass)) keep.add(feature * classes + target);
  }
  let largest = 0;
  for (const slot of keep) largest = Math.max(largest, Math.abs(folded[slot]!));
  const scale = largest === 0 ? 1 : largest / settings.levels;
  const sparse: Record<string, number[]> = {};
  vocabulary.forEach((name, feature) => {
    const pairs: number[] = [];
    for (let target = 0; target < classes; target += 1) {
      const slot = feature * classes + target;
      if (!keep.has(slot)) continue;
      const quantised = Math.round(folded[slot]! / scale);
      if (quantised !== 0) pairs.push(target, quantised);
    }
    if (pairs.length > 0) sparse[name] = pairs;
  });
  return {
    version: 1,
    kind: 'linear-text-classifier',
    trainer: settings.trainer,
    labels: [...labels],
    characterGrams: settings.characterGrams,
    characterWeight: settings.characterWeight,
    scale: Number(scale.toPrecision(6)),
    bias: Array.from(bias, (value) => Math.round(value * 1000) / 1000),
    weights: sparse,
    trainedOn: settings.trainedOn,
  };
}

/**
 * A loaded linear text classifier. `predictText` reads the raw text (words and character grams); `predict` accepts
 * word tokens only (the `TokenClassifier` shape), for callers that have already tokenised.
 */
export class LinearTextClassifier {
  readonly labels: readonly string[];
  private readonly model: LinearTextModel;
  private readonly bias: Float64Array;
  private readonly weights: Map<string, Float64Array>;

  constructor(model: LinearTextModel) {
    this.model = validate(linearTextModelSchema, model, 'LinearTextModel');
    this.labels = this.model.labels;
    this.bias = Float64Array.from(this.model.bias);
    this.weights = new Map(
      Object.entries(this.model.weights).map(([name, pairs]) => {
        const row = new Float64Array(this.labels.length);
        for (let index = 0; index < pairs.length; index += 2) row[pairs[index]!] = pairs[index + 1]! * this.model.scale;
        return [name, row];
      }),
    );
  }

  /** Class probabilities of a text. */
  predictText(text: string): NaiveBayesPrediction {
    return this.score(rawFeatures(text, this.model.characterGrams));
  }

  /** Class probabilities from word features only (no character grams). */
  predict(tokens: readonly string[]): NaiveBayesPrediction {
    return this.score({ words: [...new Set(tokens)], characters: [] });
  }

  private score(raw: { words: string[]; characters: string[] }): NaiveBayesPrediction {
    const classes = this.labels.length;
    const scores = Float64Array.from(this.bias);
    const contributions: Array<{ name: string; row: Float64Array; scale: number }> = [];
    const add = (block: string[], weight: number): void => {
      if (block.length === 0) return;
      const norm = weight / Math.sqrt(block.length);
      for (const name of block) {
        const row = this.weights.get(name);
        if (row === undefined) continue;
        contributions.push({ name, row, scale: norm });
        for (let index = 0; index < classes; index += 1) scores[index]! += row[index]! * norm;
      }
    };
    add(raw.words, 1);
    add(raw.characters, this.model.characterWeight);
    let best = 0;
    for (let index = 1; index < classes; index += 1) if (scores[index]! > scores[best]!) best = index;
    let sum = 0;
    for (let index = 0; index < classes; index += 1) sum += Math.exp(scores[index]! - scores[best]!);
    const probabilities: Record<string, number> = {};
    for (let index = 0; index < classes; index += 1) probabilities[this.labels[index]!] = Math.exp(scores[index]! - scores[best]!) / sum;
    // Evidence: the word features (readable) that pushed most towards the winner; character grams only if no word did.
    const ranked = contributions
      .map((item) => ({ name: item.name, weight: item.row[best]! * item.scale }))
      .filter((item) => item.weight > 0)
      .sort((left, right) => right.weight - left.weight);
    const words = ranked.filter((item) => !item.name.startsWith('#'));
    const evidence = (words.length > 0 ? words : ranked).slice(0, 5).map((item) => (item.name.startsWith('#') ? item.name.slice(1).trim() : item.name));
    return { label: this.labels[best]!, probability: probabilities[this.labels[best]!]!, probabilities, evidence, knownTokens: contributions.length };
  }
}
