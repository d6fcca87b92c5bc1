import type { Complexity, Domain, RiskLevel, TaskType } from '@orchestra/learning-types';
import { round, topEvidence, type InferredValue } from './inference-helpers';
import { riskRules } from './keyword-rules';
import { applyRules, type InferenceEvidence } from './rule-engine';
import type { TaskAnalysis } from './task-analysis';

/** Share of a touched path's risk (path rules: auth 1.5, payments 2, migrations 1.2…) added to the risk score. */
const PATH_RISK_SCALE = 0.75;
const saferTypes: ReadonlySet<TaskType> = new Set(['docs', 'style', 'test']);

/** Records a vote on the risk and returns its weight. */
function vote(evidence: InferenceEvidence[], weight: number, text: string, source: InferenceEvidence['source']): number {
  evidence.push({ source, text, target: 'risk', weight });
  return weight;
}

/**
 * Risk: where a change lands ("in production", "customer data", money) above its topic, the riskiest touched path
 * (× PATH_RISK_SCALE), security work, a breaking `!` prefix, the complexity, security / database / devops domains,
 * docs, style and test work (lower) and very many files. The confidence is not yet scaled by how much evidence the
 * input holds (`inferTaskContext` does that).
 */
export function inferRisk(analysis: TaskAnalysis, taskType: TaskType, complexity: Complexity, domains: readonly Domain[]): InferredValue<RiskLevel> {
  const evidence: InferenceEvidence[] = [];
  const scores = new Map<'risk', number>();
  applyRules(riskRules, analysis.ruleText, scores, evidence);
  let score = scores.get('risk') ?? 0;
  const { files, paths, prefix } = analysis;
  let pathRisk = 0;
  for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
    const risk = paths[fileIndex]!.risk;
    if (risk !== undefined && risk > pathRisk) {
      pathRisk = risk;
      evidence.push({ source: 'path', text: files[fileIndex]!, target: 'risk', weight: risk });
    }
  }
  // Touching auth, migrations or payments code is riskier, but less than saying the change goes to production.
  score += PATH_RISK_SCALE * pathRisk;
  for (const item of evidence) if (item.source === 'path') item.weight = round(PATH_RISK_SCALE * item.weight);
  if (taskType === 'security') score += vote(evidence, 1, 'task type security', 'default');
  if (prefix?.breaking === true) score += vote(evidence, 1, prefix.prefix, 'prefix');
  if (complexity !== 'medium') score += vote(evidence, complexity === 'complex' ? 0.75 : -0.5, `complexity ${complexity}`, 'default');
  if (domains.includes('security') || domains[0] === 'database' || domains[0] === 'devops') score += vote(evidence, 0.5, `domain ${domains.includes('security') ? 'security' : domains[0]}`, 'default');
  if (saferTypes.has(taskType)) score += vote(evidence, -1, `task type ${taskType}`, 'default');
  if (files.length >= 20) score += vote(evidence, 0.5, `${files.length} files`, 'count');
  const value: RiskLevel = score >= 2.5 ? 'high' : score >= 0.75 ? 'medium' : 'low';
  return { value, confidence: Math.min(0.9, 0.4 + 0.15 * Math.abs(score - 1)), evidence: topEvidence(evidence) };
}
