import type { SoftmaxClassifier, LinearPrediction } from './softmax-classifier';
import { RULE_FEATURE_CAP, lengthBand, stopWords, type RawWord } from './transfer-features';

let indexCount = 0;

/** A prediction in arrays (the classifier's label order): what `inferTaskContext` reads, with no records built. */
export interface TransferScores {
  labels: readonly string[];
  /** Position of the best label. */
  best: number;
  /** Uncalibrated logits. */
  logits: number[];
  /** Calibrated probabilities. */
  probabilities: number[];
  /** The features behind the best label, strongest first (as `LinearPrediction.evidence`). */
  evidence: string[];
}

/** `TransferScores` of any classifier's `LinearPrediction`. */
export function transferScoresOf(labels: readonly string[], prediction: LinearPrediction): TransferScores {
  return {
    labels,
    best: labels.indexOf(prediction.label),
    logits: labels.map((label) => prediction.logits[label] ?? Number.NaN),
    probabilities: labels.map((label) => prediction.probabilities[label] ?? 0),
    evidence: prediction.evidence,
  };
}

const positionCache = new WeakMap<readonly string[], WeakMap<readonly string[], Int32Array>>();
/** The last few answers of `labelPositions` (each classifier is read with one list of keys: this is what hits). */
const recentPositions: Array<{ labels: readonly string[]; keys: readonly string[]; positions: Int32Array }> = [];

/** Where each key is among a classifier's labels (−1 when absent), e.g. the task types or domains; remembered. */
export function labelPositions(labels: readonly string[], keys: readonly string[]): Int32Array {
  for (const recent of recentPositions) if (recent.labels === labels && recent.keys === keys) return recent.positions;
  let byKeys = positionCache.get(labels);
  if (byKeys === undefined) positionCache.set(labels, (byKeys = new WeakMap()));
  let positions = byKeys.get(keys);
  if (positions === undefined) byKeys.set(keys, (positions = Int32Array.from(keys, (key) => labels.indexOf(key))));
  recentPositions.unshift({ labels, keys, positions });
  if (recentPositions.length > 4) recentPositions.pop();
  return positions;
}

/**
 * A classifier's transfer features (`transferFeatures`) compiled for lookup by stem: `w:`, `f:` and `b:` features
 * are found from the stems themselves (pairs through a map per first stem), so no feature name is built per call.
 * `predict` gives exactly what `classifier.predict(transferFeatures(subject, ruleScores))` gives.
 */
/** What the model knows of one stem: its `w:` and `f:` slots and the `b:` pairs it opens (−1 / undefined: none). */
interface StemFeatures {
  word: number;
  first: number;
  pairs: Map<string, number> | undefined;
}

export class TransferFeatureIndex {
  /** Every stem of a `w:`, `f:` or `b:` feature (one lookup per stem and call; stop words get no `w:` slot). */
  private readonly stems = new Map<string, StemFeatures>();
  /** `n:` and `r:` features by name. */
  private readonly named = new Map<string, number>();
  /** `r:<type>` slots by type. */
  private readonly ruleSlots = new Map<string, number>();
  private readonly classes: number;
  /** Per feature, the call that last added it (features are added once per call). */
  private readonly stamps: Uint32Array;
  private stamp = 0;
  private slots = new Int32Array(64);
  private values = new Float64Array(64);
  private count = 0;
  /** This index's entry in every `RawWord.known`. */
  private readonly id = indexCount++;

  constructor(private readonly classifier: SoftmaxClassifier) {
    this.classes = classifier.labels.length;
    this.stamps = new Uint32Array(classifier.featureNames.length);
    const stemOf = (stem: string): StemFeatures => {
      let features = this.stems.get(stem);
      if (features === undefined) this.stems.set(stem, (features = { word: -1, first: -1, pairs: undefined }));
      return features;
    };
    classifier.featureNames.forEach((name, position) => {
      const slot = position * this.classes;
      const body = name.slice(2);
      if (name.startsWith('w:')) {
        if (!stopWords.has(body)) stemOf(body).word = slot;
      } else if (name.startsWith('f:')) stemOf(body).first = slot;
      else if (name.startsWith('b:') && body.includes(' ')) {
        const space = body.indexOf(' ');
        const features = stemOf(body.slice(0, space));
        (features.pairs ??= new Map()).set(body.slice(space + 1), slot);
      } else if (name.startsWith('r:')) this.ruleSlots.set(body, slot);
      else this.named.set(name, slot);
    });
  }

  private add(slot: number | undefined, value: number): void {
    if (slot === undefined || slot < 0) return;
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

  /** The prediction for a subject's words (`subjectWords`) and, for the task-type model, its keyword-rule scores. */
  predict(words: readonly RawWord[], ruleScores?: ReadonlyMap<string, number>): LinearPrediction {
    this.encode(words, ruleScores);
    return this.classifier.predictSlots(this.slots, this.values, this.count);
  }

  /** `predict` in arrays (`TransferScores`). */
  score(words: readonly RawWord[], ruleScores?: ReadonlyMap<string, number>): TransferScores {
    this.encode(words, ruleScores);
    const classes = this.classes;
    const logits = new Array<number>(classes).fill(0);
    const best = this.classifier.scoreSlots(this.slots, this.values, this.count, logits);
    const probabilities = new Array<number>(classes).fill(0);
    this.classifier.calibrate(logits, best, probabilities);
    return { labels: this.classifier.labels, best, logits, probabilities, evidence: this.classifier.evidenceOf(this.slots, this.values, this.count, best) };
  }

  /** Writes the known features, in `transferFeatures` order, each once, into `slots` / `values` / `count`. */
  private encode(words: readonly RawWord[], ruleScores: ReadonlyMap<string, number> | undefined): void {
    this.count = 0;
    this.stamp = this.stamp === 0xffffffff ? 1 : this.stamp + 1;
    if (this.stamp === 1) this.stamps.fill(0);
    let position = 0;
    let first: StemFeatures | undefined;
    let previous: StemFeatures | undefined;
    for (const word of words) {
      const { stems } = word;
      const known = (word.known[this.id] ??= stems.map((stem) => this.stems.get(stem))) as ReadonlyArray<StemFeatures | undefined>;
      for (let at = 0; at < stems.length; at += 1) {
        const features = known[at];
        if (features !== undefined) this.add(features.word, 1);
        if (position > 0 && previous?.pairs !== undefined) this.add(previous.pairs.get(stems[at]!), 1);
        if (position === 0) first = features;
        previous = features;
        position += 1;
      }
    }
    if (position > 0) this.add(first?.first, 1);
    this.add(this.named.get(lengthBand(position)), 1);
    if (ruleScores !== undefined) for (const [type, score] of ruleScores) if (score > 0) this.add(this.ruleSlots.get(type), Math.min(score, RULE_FEATURE_CAP) / 2);
  }
}

const indexes = new WeakMap<SoftmaxClassifier, TransferFeatureIndex>();

/** The compiled feature index of a classifier (built on first use). */
export function transferFeatureIndexOf(classifier: SoftmaxClassifier): TransferFeatureIndex {
  let index = indexes.get(classifier);
  if (index === undefined) indexes.set(classifier, (index = new TransferFeatureIndex(classifier)));
  return index;
}
