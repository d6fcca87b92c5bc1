import { domains, taskTypes, type Domain, type TaskType } from '@orchestra/learning-types';
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

/**
 * The eight weightiest evidence items (for `target`, with the negations, when given), heaviest first, equal weights
 * in their original order (what a stable sort then the first eight give, without sorting everything).
 */
export function topEvidence(evidence: InferenceEvidence[], target?: string): InferenceEvidence[] {
  const kept: InferenceEvidence[] = [];
  for (const item of evidence) {
    if (target !== undefined && item.target !== target && item.source !== 'negated') continue;
    let at = kept.length;
    while (at > 0 && kept[at - 1]!.weight < item.weight) at -= 1;
    if (at >= 8) continue;
    kept.splice(at, 0, item);
    if (kept.length > 8) kept.pop();
  }
  return kept;
}

export function softmax(scores: readonly number[]): number[] {
  let maximum = -Infinity;
  for (const score of scores) if (score > maximum) maximum = score;
  const exponentials = new Array<number>(scores.length);
  let sum = 0;
  for (let index = 0; index < scores.length; index += 1) sum += exponentials[index] = Math.exp(scores[index]! - maximum);
  for (let index = 0; index < scores.length; index += 1) exponentials[index] = exponentials[index]! / sum;
  return exponentials;
}

/**
 * Issue/PR label evidence, added to `scores`: each label scores the target of the first pattern it matches in
 * `table`, with weight 4 (a label is the author's own word).
 */
export function labelEvidence<Target extends string>(
  labels: readonly string[],
  table: ReadonlyArray<readonly [RegExp, Target]>,
  scores: Map<Target, number>,
  evidence: InferenceEvidence[],
): void {
  for (const label of labels) {
    const match = table.find(([pattern]) => pattern.test(label.trim()));
    if (match === undefined) continue;
    scores.set(match[1], (scores.get(match[1]) ?? 0) + 4);
    evidence.push({ source: 'label', text: label, target: match[1], weight: 4 });
  }
}

/** Position of the largest value (the first on ties). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let index = 1; index < values.length; index += 1) if (values[index]! > values[best]!) best = index;
  return best;
}

const typeAt = Object.fromEntries(taskTypes.map((type, index) => [type, index])) as Record<TaskType, number>;
const domainAt = Object.fromEntries(domains.map((domain, index) => [domain, index])) as Record<Domain, number>;

/**
 * `{ [taskTypes[i]]: values[i] }` written as one literal in `taskTypes` order (a record built key by key costs
 * several times more). The type checker fails here if a task type is added without it.
 */
export function taskTypeRecord(values: readonly number[]): Record<TaskType, number> {
  return {
    feature: values[typeAt.feature]!,
    bugfix: values[typeAt.bugfix]!,
    refactor: values[typeAt.refactor]!,
    test: values[typeAt.test]!,
    docs: values[typeAt.docs]!,
    performance: values[typeAt.performance]!,
    security: values[typeAt.security]!,
    dependencies: values[typeAt.dependencies]!,
    build: values[typeAt.build]!,
    ci: values[typeAt.ci]!,
    style: values[typeAt.style]!,
    revert: values[typeAt.revert]!,
    chore: values[typeAt.chore]!,
  };
}

/** `{ [domains[i]]: values[i] }` as one literal in `domains` order (see `taskTypeRecord`). */
export function domainRecord(values: readonly number[]): Record<Domain, number> {
  return {
    frontend: values[domainAt.frontend]!,
    backend: values[domainAt.backend]!,
    api: values[domainAt.api]!,
    database: values[domainAt.database]!,
    devops: values[domainAt.devops]!,
    security: values[domainAt.security]!,
    testing: values[domainAt.testing]!,
    documentation: values[domainAt.documentation]!,
    tooling: values[domainAt.tooling]!,
  };
}
