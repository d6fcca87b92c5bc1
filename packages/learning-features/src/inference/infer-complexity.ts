import type { Complexity, TaskType } from '@orchestra/learning-types';
import type { InferredValue } from './inference-helpers';
import { topEvidence } from './inference-helpers';
import { complexityRules } from './keyword-rules';
import { applyRules, type InferenceEvidence } from './rule-engine';
import type { TaskAnalysis } from './task-analysis';

const simplerTypes: ReadonlySet<TaskType> = new Set(['docs', 'style', 'dependencies', 'revert']);
const largerTypes: ReadonlySet<TaskType> = new Set(['feature', 'security', 'performance']);

/** Records a vote up (weight > 0) or down on the complexity and returns its weight. */
function vote(evidence: InferenceEvidence[], weight: number, text: string, source: InferenceEvidence['source']): number {
  evidence.push({ source, text, target: weight > 0 ? 'up' : 'down', weight });
  return weight;
}

/**
 * Complexity: size words ("small change", "several modules"), the number of files (1–2 lean simple, 3–7 medium,
 * 8+ complex), the number of domains, the length of the description and the task type. The confidence is not yet
 * scaled by how much evidence the input holds (`inferTaskContext` does that).
 */
export function inferComplexity(analysis: TaskAnalysis, taskType: TaskType, domainCount: number): InferredValue<Complexity> {
  const evidence: InferenceEvidence[] = [];
  const scores = new Map<'up' | 'down', number>();
  applyRules(complexityRules, analysis.ruleText, scores, evidence);
  let score = (scores.get('up') ?? 0) - (scores.get('down') ?? 0);
  const fileCount = analysis.files.length;
  if (fileCount >= 15) score += vote(evidence, 2, `${fileCount} files`, 'count');
  else if (fileCount >= 8) score += vote(evidence, 1.5, `${fileCount} files`, 'count');
  else if (fileCount >= 3) score += vote(evidence, 0.5, `${fileCount} files`, 'count');
  else if (fileCount === 2) score += vote(evidence, -0.5, '2 files', 'count');
  else if (fileCount === 1) score += vote(evidence, -1, '1 file', 'count');
  if (domainCount >= 3) score += vote(evidence, 1, `${domainCount} domains`, 'count');
  else if (domainCount === 2) score += vote(evidence, 0.5, '2 domains', 'count');
  if (analysis.wordCount > 30) score += vote(evidence, 0.5, `${analysis.wordCount} words`, 'count');
  if (simplerTypes.has(taskType)) score += vote(evidence, -1, `task type ${taskType}`, 'default');
  if (largerTypes.has(taskType)) score += vote(evidence, 0.5, `task type ${taskType}`, 'default');
  const value: Complexity = score <= -0.5 ? 'simple' : score >= 2 ? 'complex' : 'medium';
  return { value, confidence: Math.min(0.9, 0.35 + 0.15 * Math.abs(score - 0.5)), evidence: topEvidence(evidence) };
}
