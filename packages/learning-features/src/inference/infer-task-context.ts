import {
  domains as allDomains,
  taskTypes,
  type Complexity,
  type Domain,
  type RiskLevel,
  type TaskContext,
  type TaskType,
} from '@orchestra/learning-types';
import { round, type InferredValue } from './inference-helpers';
import { inferComplexity } from './infer-complexity';
import { DOMAIN_CLASSIFIER_WEIGHT, inferDomains } from './infer-domains';
import { inferRisk } from './infer-risk';
import { inferSkills } from './infer-skills';
import {
  ABSTAIN_BELOW,
  DEFAULT_TASK_TYPE_METHOD,
  RULE_WEIGHT,
  UNSUPPORTED_ABSTAIN_BELOW,
  combinedTaskTypeLogits,
  inferTaskType,
  type FeatureClassifier,
  type TaskTypeMethod,
} from './infer-task-type';
import { inferTime } from './infer-time';
import type { InferenceEvidence } from './rule-engine';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
import { analyseTask, inferTaskInputSchema, type InferTaskInput } from './task-analysis';

export type { InferenceEvidence } from './rule-engine';
export type { InferredValue } from './inference-helpers';
export { ABSTAIN_BELOW, DEFAULT_TASK_TYPE_METHOD, DOMAIN_CLASSIFIER_WEIGHT, RULE_WEIGHT, UNSUPPORTED_ABSTAIN_BELOW, combinedTaskTypeLogits, inferTaskInputSchema };
export type { FeatureClassifier, InferTaskInput, TaskTypeMethod };

/** The result of `inferTaskContext`: a valid `TaskContext` plus, per field, confidence and evidence. */
export interface TaskContextInference {
  context: TaskContext;
  taskType: InferredValue<TaskType> & { probabilities: Record<TaskType, number> };
  domains: InferredValue<Domain[]> & { scores: Record<Domain, number> };
  complexity: InferredValue<Complexity>;
  risk: InferredValue<RiskLevel>;
  estimatedTimeMinutes: InferredValue<number>;
  skills: InferredValue<string[]>;
  /** Overall confidence: low for empty, absurd or evidence-free input. */
  confidence: number;
}

/** Options of `inferTaskContext` (mostly for evaluation: swap the classifiers or the method). */
export interface InferTaskContextOptions {
  /** Task-type method; default `DEFAULT_TASK_TYPE_METHOD`. */
  method?: TaskTypeMethod;
  /** Task-type classifier; default the shipped one (`null` to disable). */
  taskTypeClassifier?: FeatureClassifier | null;
  /** Primary-domain classifier; default the shipped one (`null` to disable). */
  domainClassifier?: FeatureClassifier | null;
  /** Below this calibrated probability the task type falls back to the likelier generic type; default `ABSTAIN_BELOW`. */
  abstainBelow?: number;
  /** The same for a type no keyword, label or path supports; default `UNSUPPORTED_ABSTAIN_BELOW`. */
  unsupportedAbstainBelow?: number;
}

/**
 * Infers a `TaskContext` from a task description, the files it touches and its labels: task type (one of 13),
 * domains (primary first), complexity, risk, estimated time and skills, each with a confidence and the evidence
 * (words, paths, labels, prefix, classifier tokens) that decided it.
 *
 * Understands Conventional Commits prefixes (`chore(deps): bump zod` → dependencies), file paths
 * (`migrations/…sql` → database, higher risk), GitHub-style labels, Spanish and mixed text, and negations
 * ("without behaviour change", "no tests"). Empty or absurd input yields a valid low-confidence context; it never
 * throws. Each field has its own inferrer (`infer-task-type.ts`, `infer-domains.ts`, `infer-complexity.ts`,
 * `infer-risk.ts`, `infer-skills.ts`, `infer-time.ts`), all reading one `TaskAnalysis` of the input.
 */
export function inferTaskContext(input: InferTaskInput | unknown, options: InferTaskContextOptions = {}): TaskContextInference {
  try {
    return infer(input, options);
  } catch {
    return fallbackInference();
  }
}

function fallbackInference(): TaskContextInference {
  const context: TaskContext = { taskType: 'chore', domains: ['backend'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 60, skills: [] };
  const evidence: InferenceEvidence[] = [{ source: 'default', text: '', target: 'fallback', weight: 0 }];
  const uniform = 1 / taskTypes.length;
  return {
    context,
    taskType: { value: 'chore', confidence: 0.05, evidence, probabilities: Object.fromEntries(taskTypes.map((type) => [type, uniform])) as Record<TaskType, number> },
    domains: { value: ['backend'], confidence: 0.05, evidence, scores: Object.fromEntries(allDomains.map((domain) => [domain, 0])) as Record<Domain, number> },
    complexity: { value: 'medium', confidence: 0.1, evidence },
    risk: { value: 'medium', confidence: 0.1, evidence },
    estimatedTimeMinutes: { value: 60, confidence: 0.05, evidence },
    skills: { value: [], confidence: 0.05, evidence },
    confidence: 0.05,
  };
}

function infer(rawInput: unknown, options: InferTaskContextOptions): TaskContextInference {
  const analysis = analyseTask(rawInput);
  const method = options.method ?? DEFAULT_TASK_TYPE_METHOD;
  const taskTypeClassifier = method === 'rules' ? null : options.taskTypeClassifier === undefined ? shippedTaskTypeClassifier() : options.taskTypeClassifier;
  const domainClassifier = options.domainClassifier === undefined ? shippedDomainClassifier() : options.domainClassifier;
  const taskType = inferTaskType(analysis, {
    method,
    classifier: taskTypeClassifier,
    abstainBelow: options.abstainBelow ?? ABSTAIN_BELOW,
    unsupportedAbstainBelow: options.unsupportedAbstainBelow ?? UNSUPPORTED_ABSTAIN_BELOW,
  });
  const domains = inferDomains(analysis, taskType.value, domainClassifier);
  const complexity = inferComplexity(analysis, taskType.value, domains.value.length);
  const risk = inferRisk(analysis, taskType.value, complexity.value, domains.value);
  const skills = inferSkills(analysis);
  const fileCount = analysis.files.length;
  const time = inferTime(complexity.value, taskType.value, fileCount);
  // Valid by construction (the tests check every field against taskContextSchema); the key order is the schema's.
  const context: TaskContext = {
    taskType: taskType.value,
    domains: [...domains.value],
    complexity: complexity.value,
    risk: risk.value,
    estimatedTimeMinutes: time.value,
    skills: [...skills.value],
  };
  if (fileCount > 0) context.fileCount = fileCount;
  if (analysis.description !== '') context.description = analysis.description;
  const evidenceStrength = analysis.meaningful || fileCount > 0 || analysis.labels.length > 0 ? 1 : 0.3;
  const confidence = round(Math.min(taskType.confidence, 0.5 * taskType.confidence + 0.5 * domains.confidence) * evidenceStrength);
  // The inferrers' results are fresh objects: their confidences are rounded (and scaled by the evidence) in place.
  taskType.confidence = round(taskType.confidence);
  domains.confidence = round(domains.confidence);
  complexity.confidence = round(complexity.confidence * evidenceStrength);
  risk.confidence = round(risk.confidence * evidenceStrength);
  time.confidence = round(time.confidence * evidenceStrength);
  skills.confidence = round(skills.confidence * evidenceStrength);
  return { context, taskType, domains, complexity, risk, estimatedTimeMinutes: time, skills, confidence };
}
