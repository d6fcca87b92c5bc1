import type { Complexity, TaskType } from '@orchestra/learning-types';
import { round, type InferredValue } from './inference-helpers';
import type { InferenceEvidence } from './rule-engine';

const baseMinutes: Readonly<Record<Complexity, number>> = { simple: 20, medium: 90, complex: 360 };
const typeTimeFactor: Readonly<Record<TaskType, number>> = {
  feature: 1.3, bugfix: 1, refactor: 1.1, test: 0.8, docs: 0.5, performance: 1.2, security: 1.3, dependencies: 0.5,
  build: 0.8, ci: 0.8, style: 0.4, revert: 0.3, chore: 0.6,
};

/** The evidence texts, written once (number formatting costs a call more than the rest of this inferrer). */
const complexityTexts = Object.fromEntries(Object.entries(baseMinutes).map(([complexity, minutes]) => [complexity, `complexity ${complexity}: ${minutes} min`])) as Record<Complexity, string>;
const typeTexts = Object.fromEntries(Object.entries(typeTimeFactor).map(([type, factor]) => [type, `task type ${type}: ×${factor}`])) as Record<TaskType, string>;

/** Estimated minutes: a base per complexity × a factor per task type × 5 % per file (up to 40). Confidence 0.3. */
export function inferTime(complexity: Complexity, taskType: TaskType, fileCount: number): InferredValue<number> {
  const fileFactor = 1 + 0.05 * Math.min(fileCount, 40);
  const value = Math.max(5, Math.round(baseMinutes[complexity] * typeTimeFactor[taskType] * fileFactor));
  const evidence: InferenceEvidence[] = [
    { source: 'default', text: complexityTexts[complexity], target: 'time', weight: baseMinutes[complexity] },
    { source: 'default', text: typeTexts[taskType], target: 'time', weight: typeTimeFactor[taskType] },
  ];
  if (fileCount > 0) evidence.push({ source: 'count', text: `${fileCount} files: ×${round(fileFactor)}`, target: 'time', weight: fileFactor });
  return { value, confidence: 0.3, evidence };
}
