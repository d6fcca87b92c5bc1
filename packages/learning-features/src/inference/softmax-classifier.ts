import { z } from 'zod';
import { createRng } from '../random';
import type { SparseFeatures } from './transfer-features';

/**
 * A compact multinomial logistic-regression model: the feature vocabulary (newline-separated), the weights as
 * base64 int8 (feature-major, `labels.length` per feature) times `scale`, a bias per label and the temperature that
 * calibrates its probabilities. Small enough to ship inline.
 */
export const compactLinearModelSchema = z.object({
  format: z.literal('orchestra-linear-v1'),
  labels: z.array(z.string()).min(2),
  features: z.string(),
  weights: z.string(),
  scale: z.number().positive(),
  bias: z.array(z.number()),
  temperature: z.number().positive(),
  /** Training examples (weighted) per label; 0 marks a label the model never saw. */
  classCounts: z.array(z.number().nonnegative()),
  trainedOn: z.string(),
});
export type CompactLinearModel = z.infer<typeof compactLinearModelSchema>;

/** Thrown when a compact model does not parse or its arrays disagree in length. */
export class InvalidLinearModelError extends Error {
  constructor(detail: string) {
    super(`invalid compact linear model: ${detail}`);
    this.name = 'InvalidLinearModelError';
  }
}

/** A prediction: the best label, every label's calibrated probability, the features that pushed most towards it. */
export interface LinearPrediction {
  label: string;
  probability: number;
  probabilities: Record<string, number>;
  /** Uncalibrated logits (bias + weights · features), for combining with other evidence before calibration. */
  logits: Record<string, number>;
  /** Known features ordered by how much they favour `label`. */
  evidence: string[];
  /** How many of the input features the model knows (the rule and length features count). */
  knownFeatures: number;
}

/** One training example. */
export interface LinearExample {
  features: SparseFeatures;
  label: string;
  weight?: number;
}

/** Settings of `trainSoftmaxClassifier`. */
export interface SoftmaxTrainingOptions {
  /** Features to learn weights for (others are ignored); see `selectTransferVocabulary`. */
  vocabulary: readonly string[];
  epochs?: number;
  learningRate?: number;
  /** L2 penalty per update on the weights an example touches (strong = transfers better). */
  l2?: number;
  seed?: number;
  trainedOn: string;
  temperature?: number;
  /**
   * Features whose every int8 weight is below this (in quantisation steps of max|w|/127) are dropped from the
   * shipped model: they barely move a prediction and would only make it bigger. Default 4.
   */
  pruneBelow?: number;
}

/**
 * The features seen in at least `minimumGroups` groups (repositories) and `minimumCount` examples overall: words
 * only one codebase uses (its module names, its jargon) are left out, so the model cannot learn them.
 */
export function selectTransferVocabulary(
  examples: ReadonlyArray<{ features: SparseFeatures; group: string }>,
  minimumGroups: number,
  minimumCount: number,
): string[] {
  const groups = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const example of examples) {
    for (const name of example.features.names) {
      let owners = groups.get(name);
      if (owners === undefined) groups.set(name, (owners = new Set()));
      owners.add(example.group);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...groups.entries()]
    .filter(([name, owners]) => owners.size >= minimumGroups && (counts.get(name) ?? 0) >= minimumCount)
    .map(([name]) => name)
    .sort();
}

/**
 * Trains multinomial logistic regression with AdaGrad SGD (seeded shuffles, deterministic) and an L2 penalty, and
 * returns it quantised to int8 (`CompactLinearModel`).
 */
export function trainSoftmaxClassifier(examples: readonly LinearExample[], labels: readonly string[], options: SoftmaxTrainingOptions): CompactLinearModel {
  const classes = labels.length;
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const featureIndex = new Map(options.vocabulary.map((name, index) => [name, index]));
  const weights = new Float64Array(options.vocabulary.length * classes);
  const squares = new Float64Array(weights.length).fill(1e-6);
  const bias = new Float64Array(classes);
  const biasSquares = new Float64Array(classes).fill(1e-6);
  const classCounts = new Array<number>(classes).fill(0);
  const epochs = options.epochs ?? 8;
  const learningRate = options.learningRate ?? 0.2;
  const l2 = options.l2 ?? 1e-3;
  const generator = createRng(options.seed ?? 1);
  const random = () => generator.next();
  const encoded = examples.flatMap((example) => {
    const label = labelIndex.get(example.label);
    if (label === undefined) return [];
    const slots: number[] = [];
    const values: number[] = [];
    example.features.names.forEach((name, position) => {
      const slot = featureIndex.get(name);
      if (slot !== undefined) {
        slots.push(slot * classes);
        values.push(example.features.values[position]!);
      }
    });
    classCounts[label]! += example.weight ?? 1;
    return [{ label, slots, values, weight: example.weight ?? 1 }];
  });
  const order = encoded.map((_, index) => index);
  const logits = new Float64Array(classes);
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (let index = order.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    for (const position of order) {
      const example = encoded[position]!;
      let maximum = -Infinity;
      for (let label = 0; label < classes; label += 1) {
        let sum = bias[label]!;
        for (let feature = 0; feature < example.slots.length; feature += 1) sum += weights[example.slots[feature]! + label]! * example.values[feature]!;
        logits[label] = sum;
        if (sum > maximum) maximum = sum;
      }
      let total = 0;
      for (let label = 0; label < classes; label += 1) total += (logits[label] = Math.exp(logits[label]! - maximum));
      for (let label = 0; label < classes; label += 1) {
        const gradient = (logits[label]! / total - (label === example.label ? 1 : 0)) * example.weight;
        biasSquares[label]! += gradient * gradient;
        bias[label]! -= (learningRate * gradient) / Math.sqrt(biasSquares[label]!);
        for (let feature = 0; feature < example.slots.length; feature += 1) {
          const slot = example.slots[feature]! + label;
          const step = gradient * example.values[feature]! + l2 * weights[slot]!;
          squares[slot]! += step * step;
          weights[slot]! -= (learningRate * step) / Math.sqrt(squares[slot]!);
        }
      }
    }
  }
  let largest = 1e-9;
  for (const weight of weights) largest = Math.max(largest, Math.abs(weight));
  const scale = largest / 127;
  const pruneBelow = options.pruneBelow ?? 4;
  const kept: number[] = [];
  for (let feature = 0; feature < options.vocabulary.length; feature += 1) {
    let strongest = 0;
    for (let label = 0; label < classes; label += 1) strongest = Math.max(strongest, Math.abs(weights[feature * classes + label]!) / scale);
    if (strongest >= pruneBelow) kept.push(feature);
  }
  const bytes = new Int8Array(kept.length * classes);
  kept.forEach((feature, position) => {
    for (let label = 0; label < classes; label += 1) bytes[position * classes + label] = Math.round(weights[feature * classes + label]! / scale);
  });
  return {
    format: 'orchestra-linear-v1',
    labels: [...labels],
    features: kept.map((feature) => options.vocabulary[feature]!).join('\n'),
    weights: Buffer.from(bytes.buffer).toString('base64'),
    scale,
    bias: [...bias].map((value) => Math.round(value * 1e4) / 1e4),
    temperature: options.temperature ?? 1,
    classCounts: classCounts.map((value) => Math.round(value * 10) / 10),
    trainedOn: options.trainedOn,
  };
}

function decodeBase64(text: string): Int8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/u, '');
  const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let position = 0;
  for (const character of clean) {
    const value = alphabet.indexOf(character);
    if (value < 0) throw new InvalidLinearModelError('weights are not base64');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[position++] = (buffer >> bits) & 0xff;
    }
  }
  return new Int8Array(bytes.buffer);
}

/** A loaded compact linear model. */
export class SoftmaxClassifier {
  readonly labels: readonly string[];
  readonly temperature: number;
  /** Labels the model had no training example of (it can never favour them). */
  readonly unseenLabels: ReadonlySet<string>;
  private readonly index: Map<string, number>;
  /** The features the model knows, by position (a feature's slot is its position × labels). */
  readonly featureNames: readonly string[];
  private readonly weights: Float32Array;
  private readonly bias: Float64Array;
  /** Mean weight of each feature over the labels (for the evidence). */
  private readonly means: Float32Array;

  constructor(model: CompactLinearModel, temperature?: number) {
    const parsed = compactLinearModelSchema.safeParse(model);
    if (!parsed.success) throw new InvalidLinearModelError(parsed.error.issues[0]?.message ?? 'schema');
    const { labels, bias, classCounts } = parsed.data;
    const names = parsed.data.features === '' ? [] : parsed.data.features.split('\n');
    const bytes = decodeBase64(parsed.data.weights);
    if (bytes.length !== names.length * labels.length) throw new InvalidLinearModelError(`${bytes.length} weights for ${names.length} features × ${labels.length} labels`);
    if (bias.length !== labels.length || classCounts.length !== labels.length) throw new InvalidLinearModelError('bias or classCounts length differs from labels');
    this.labels = labels;
    this.temperature = temperature ?? parsed.data.temperature;
    this.unseenLabels = new Set(labels.filter((_, label) => classCounts[label] === 0));
    this.featureNames = names;
    this.index = new Map(names.map((name, position) => [name, position * labels.length]));
    this.weights = Float32Array.from(bytes, (value) => value * parsed.data.scale);
    this.bias = Float64Array.from(bias);
    this.means = Float32Array.from(names, (_, feature) => {
      let sum = 0;
      for (let label = 0; label < labels.length; label += 1) sum += this.weights[feature * labels.length + label]!;
      return sum / labels.length;
    });
  }

  /** Calibrated class probabilities (softmax of logits / temperature) and the features behind the winner. */
  predict(features: SparseFeatures): LinearPrediction {
    const slots: number[] = [];
    const values: number[] = [];
    for (let feature = 0; feature < features.names.length; feature += 1) {
      const slot = this.index.get(features.names[feature]!);
      if (slot === undefined) continue;
      slots.push(slot);
      values.push(features.values[feature]!);
    }
    return this.predictSlots(slots, values, slots.length);
  }

  /**
   * `predict` for features already looked up (a feature's slot is its position in `featureNames` × labels): the
   * first `count` slots and their values, in the order
   * `predict` would meet them (the order decides ties in the evidence).
   */
  predictSlots(slots: ArrayLike<number>, values: ArrayLike<number>, count: number): LinearPrediction {
    const classes = this.labels.length;
    const logits = new Array<number>(classes).fill(0);
    const best = this.scoreSlots(slots, values, count, logits);
    const calibrated = new Array<number>(classes).fill(0);
    this.calibrate(logits, best, calibrated);
    const probabilities: Record<string, number> = {};
    const logitRecord: Record<string, number> = {};
    for (let label = 0; label < classes; label += 1) {
      probabilities[this.labels[label]!] = calibrated[label]!;
      logitRecord[this.labels[label]!] = logits[label]!;
    }
    return {
      label: this.labels[best]!,
      probability: calibrated[best]!,
      probabilities,
      logits: logitRecord,
      evidence: this.evidenceOf(slots, values, count, best),
      knownFeatures: count,
    };
  }

  /** Writes bias + weights · features (uncalibrated logits, label order) into `logits`; returns the best label. */
  scoreSlots(slots: ArrayLike<number>, values: ArrayLike<number>, count: number, logits: number[]): number {
    const classes = this.labels.length;
    for (let label = 0; label < classes; label += 1) logits[label] = this.bias[label]!;
    for (let known = 0; known < count; known += 1) {
      const slot = slots[known]!;
      const value = values[known]!;
      for (let label = 0; label < classes; label += 1) logits[label]! += this.weights[slot + label]! * value;
    }
    let best = 0;
    for (let label = 1; label < classes; label += 1) if (logits[label]! > logits[best]!) best = label;
    return best;
  }

  /** Calibrated probabilities (softmax of logits / temperature, label order) into `out`. */
  calibrate(logits: readonly number[], best: number, out: number[]): void {
    const classes = this.labels.length;
    let total = 0;
    for (let label = 0; label < classes; label += 1) total += (out[label] = Math.exp((logits[label]! - logits[best]!) / this.temperature));
    for (let label = 0; label < classes; label += 1) out[label] = out[label]! / total;
  }

  /** The known features that push `best` most above their mean over the labels (top 5, push > 0.1). */
  evidenceOf(slots: ArrayLike<number>, values: ArrayLike<number>, count: number, best: number): string[] {
    const classes = this.labels.length;
    const evidence: string[] = [];
    const pushes: number[] = [];
    for (let known = 0; known < count; known += 1) {
      const slot = slots[known]!;
      const push = (this.weights[slot + best]! - this.means[slot / classes]!) * values[known]!;
      if (push <= 0.1) continue;
      let at = pushes.length;
      while (at > 0 && pushes[at - 1]! < push) at -= 1;
      if (at >= 5) continue;
      pushes.splice(at, 0, push);
      evidence.splice(at, 0, this.featureNames[slot / classes]!);
      if (pushes.length > 5) {
        pushes.pop();
        evidence.pop();
      }
    }
    return evidence;
  }
}
