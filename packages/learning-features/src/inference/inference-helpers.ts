import type { InferenceEvidence } from './rule-engine';

/** One inferred value with its confidence in [0, 1] and its evidence. */
export interface InferredValue<Value> {
  value: Value;
  confidence: number;
  evidence: InferenceEvidence[];
}

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The eight weightiest evidence items (for `target`, with the negations, when given). */
export function topEvidence(evidence: InferenceEvidence[], target?: string): InferenceEvidence[] {
  return evidence
    .filter((item) => target === undefined || item.target === target || item.source === 'negated')
    .sort((left, right) => right.weight - left.weight)
    .slice(0, 8);
}

export function softmax(scores: readonly number[]): number[] {
  const maximum = Math.max(...scores);
  const exponentials = scores.map((score) => Math.exp(score - maximum));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}

/** A record with one number per key, written by assignment (`Object.fromEntries` costs microseconds per call). */
export function recordOf<Key extends string>(keys: readonly Key[], value: (key: Key, index: number) => number): Record<Key, number> {
  const record = {} as Record<Key, number>;
  for (let index = 0; index < keys.length; index += 1) record[keys[index]!] = value(keys[index]!, index);
  return record;
}
