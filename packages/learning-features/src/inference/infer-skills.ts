import type { InferredValue } from './inference-helpers';
import { skillRules } from './keyword-rules';
import { applyRules, type InferenceEvidence } from './rule-engine';
import type { TaskAnalysis } from './task-analysis';

/**
 * Skills: keyword rules over the subject, each file's extension (`*.ts` → typescript) and path rules (CI files →
 * github-actions); the ten most supported, ties by name. Confidence before scaling by the input's evidence.
 */
export function inferSkills(analysis: TaskAnalysis): InferredValue<string[]> {
  const evidence: InferenceEvidence[] = [];
  const scores = new Map<string, number>();
  applyRules(skillRules, analysis.ruleText, scores, evidence);
  const { files, paths } = analysis;
  for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
    const file = files[fileIndex]!;
    for (const name of paths[fileIndex]!.skills) {
      if (!scores.has(name)) evidence.push({ source: 'path', text: file, target: name, weight: 1 });
      scores.set(name, (scores.get(name) ?? 0) + 1);
    }
  }
  const value =
    scores.size === 0
      ? []
      : [...scores.entries()]
          .sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0))
          .map(([name]) => name)
          .slice(0, 10);
  return { value, confidence: value.length > 0 ? 0.6 : 0.2, evidence: evidence.slice(0, 10) };
}
