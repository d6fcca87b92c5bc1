import type { SoftmaxClassifier, LinearPrediction } from './softmax-classifier';
import { RULE_FEATURE_CAP, lengthBand, stopWords } from './transfer-features';

/** A prediction in arrays (the classifier's label order): what `inferTaskContext` reads, with no records built. */
export interface TransferScores {
  labels: readonly string[];
  /** Position of the best label. */
  best: number;
  /** Uncalibrated logits. */
  logits: Float64Array;
  /** Calibrated probabilities. */
  probabilities: Float64Array;
  /** The features behind the best label, strongest first (as `LinearPrediction.evidence`). */
  evidence: string[];
}

/** `TransferScores` of any classifier's `LinearPrediction`. */
export function transferScoresOf(labels: readonly string[], prediction: LinearPrediction): TransferScores {
  return {
    labels,
    best: labels.indexOf(prediction.label),
    logits: Float64Array.from(labels, (label) => prediction.logits[label] ?? Number.NaN),
    probabilities: Float64Array.from(labels, (label) => prediction.probabilities[label] ?? 0),
    evidence: prediction.evidence,
  };
}

const positionCache = new WeakMap<readonly string[], WeakMap<readonly string[], Int32Array>>();

/** Where each key is among a classifier's labels (−1 when absent), e.g. the task types or domains; remembered. */
export function labelPositions(labels: readonly string[], keys: readonly string[]): Int32Array {
  let byKeys = positionCache.get(labels);
  if (byKeys === undefined) positionCache.set(labels, (byKeys = new WeakMap()));
  let positions = byKeys.get(keys);
  if (positions === undefined) byKeys.set(keys, (positions = Int32Array.from(keys, (key) => labels.indexOf(key))));
  return positions;
}

/**
 * A classifier's transfer features (`transferFeatures`) compiled for lookup by stem: `w:`, `f:` and `b:` features
 * are found from the stems themselves (pairs through a map per first stem), so no feature name is built per call.
 * `predict` gives exactly what `classifier.predict(transferFeatures(subject, ruleScores))` gives.
 */
export class TransferFeatureIndex {
  private readonly words = new Map<string, number>();
  private readonly firsts = new Map<string, number>();
  private readonly pairs = new Map<string, Map<string, number>>();
  /** `n:` and `r:` features by name. */
  private readonly named = new Map<string, number>();
  private readonly classes: number;
  /** Per feature, the call that last added it (features are added once per call). */
  private readonly stamps: Uint32Array;
  private stamp = 0;
  private slots = new Int32Array(64);
  private values = new Float64Array(64);
  private count = 0;

  constructor(private readonly classifier: SoftmaxClassifier) {
    this.classes = classifier.labels.length;
    this.stamps = new Uint32Array(classifier.featureNames.length);
    classifier.featureNames.forEach((name, position) => {
      const slot = position * this.classes;
      const body = name.slice(2);
      if (name.startsWith('w:')) this.words.set(body, slot);
      else if (name.startsWith('f:')) this.firsts.set(body, slot);
      else if (name.startsWith('b:') && body.includes(' ')) {
        const space = body.indexOf(' ');
        const first = body.slice(0, space);
        let seconds = this.pairs.get(first);
        if (seconds === undefined) this.pairs.set(first, (seconds = new Map()));
        seconds.set(body.slice(space + 1), slot);
      } else this.named.set(name, slot);
    });
  }

  private add(slot: number | undefined, value: number): void {
    if (slot === undefined) return;
    const feature = slot / this.classes;
    if (this.stamps[feature] === this.stamp) return;
    this.stamps[feature] = this.stamp;
    if (this.count === this.slots.length) {
      const slots = new Int32Array(this.count * 2);
      slots.set(this.slots);
      this.slots = slots;
      const values = new Float64Array(this.count * 2);
      values.set(this.values);
      this.values = values;
    }
    this.slots[this.count] = slot;
    this.values[this.count] = value;
    this.count += 1;
  }

  /** The prediction for a subject's stems (`subjectStems`) and, for the task-type model, its keyword-rule scores. */
  predict(stems: readonly string[], ruleScores?: ReadonlyMap<string, number>): LinearPrediction {
    this.encode(stems, ruleScores);
    return this.classifier.predictSlots(this.slots, this.values, this.count);
  }

  /** `predict` in arrays (`TransferScores`). */
  score(stems: readonly string[], ruleScores?: ReadonlyMap<string, number>): TransferScores {
    this.encode(stems, ruleScores);
    const classes = this.classes;
    const logits = new Float64Array(classes);
    const best = this.classifier.scoreSlots(this.slots, this.values, this.count, logits);
    const probabilities = new Float64Array(classes);
    this.classifier.calibrate(logits, best, probabilities);
    return { labels: this.classifier.labels, best, logits, probabilities, evidence: this.classifier.evidenceOf(this.slots, this.values, this.count, best) };
  }

  /** Writes the known features, in `transferFeatures` order, each once, into `slots` / `values` / `count`. */
  private encode(stems: readonly string[], ruleScores: ReadonlyMap<string, number> | undefined): void {
    this.count = 0;
    this.stamp = this.stamp === 0xffffffff ? 1 : this.stamp + 1;
    if (this.stamp === 1) this.stamps.fill(0);
    let seconds: Map<string, number> | undefined;
    for (let index = 0; index < stems.length; index += 1) {
      const word = stems[index]!;
      if (!stopWords.has(word)) this.add(this.words.get(word), 1);
      if (index > 0 && seconds !== undefined) this.add(seconds.get(word), 1);
      seconds = this.pairs.get(word);
    }
    if (stems.length > 0) this.add(this.firsts.get(stems[0]!), 1);
    this.add(this.named.get(lengthBand(stems.length)), 1);
    if (ruleScores !== undefined) for (const [type, score] of ruleScores) if (score > 0) this.add(this.named.get(`r:${type}`), Math.min(score, RULE_FEATURE_CAP) / 2);
  }
}

const indexes = new WeakMap<SoftmaxClassifier, TransferFeatureIndex>();

/** The compiled feature index of a classifier (built on first use). */
export function transferFeatureIndexOf(classifier: SoftmaxClassifier): TransferFeatureIndex {
  let index = indexes.get(classifier);
  if (index === undefined) indexes.set(classifier, (index = new TransferFeatureIndex(classifier)));
  return index;
}
