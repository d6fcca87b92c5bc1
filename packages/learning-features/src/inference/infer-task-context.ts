import {
  domains as allDomains,
  taskContextSchema,
  taskTypes,
  type Complexity,
  type Domain,
  type RiskLevel,
  type TaskContext,
  type TaskType,
} from '@orchestra/learning-types';
import { z } from 'zod';
import { parseConventionalPrefix, taskTypeOfConventionalCommit } from './conventional-commit';
import { complexityRules, domainRules, riskRules, skillRules, taskTypeRules } from './keyword-rules';
import { extensionSkills, pathRules } from './path-rules';
import { applyRules, normaliseForRules, type InferenceEvidence } from './rule-engine';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
import type { LinearPrediction } from './softmax-classifier';
import { domainFeaturesOf, transferFeatures, type SparseFeatures } from './transfer-features';

export type { InferenceEvidence } from './rule-engine';

/** Input of `inferTaskContext`. Anything malformed is coerced (bad fields dropped), never thrown. */
export const inferTaskInputSchema = z.object({
  description: z.string().catch(''),
  files: z.array(z.string()).catch([]).default([]),
  labels: z.array(z.string()).catch([]).default([]),
});
/** Input of `inferTaskContext`. */
export type InferTaskInput = z.input<typeof inferTaskInputSchema>;

/** One inferred value with its confidence in [0, 1] and its evidence. */
export interface InferredValue<Value> {
  value: Value;
  confidence: number;
  evidence: InferenceEvidence[];
}

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

/**
 * How the task type is chosen: keyword rules only, the transfer classifier only, or the classifier plus explicit
 * evidence (labels, file paths) — the default, see DEFAULT_TASK_TYPE_METHOD.
 */
export type TaskTypeMethod = 'rules' | 'classifier' | 'combined';

/** Anything that turns sparse features into calibrated class probabilities (`SoftmaxClassifier`). */
export interface FeatureClassifier {
  readonly labels: readonly string[];
  /** Labels the classifier never saw in training (their score comes from the rules instead). */
  readonly unseenLabels?: ReadonlySet<string>;
  /** Temperature that calibrates the final task-type logits (1 = none). */
  readonly temperature: number;
  predict(features: SparseFeatures): LinearPrediction;
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
 * The task-type method used by default: the transfer classifier (which reads the keyword-rule scores as features)
 * plus explicit evidence. Leave-one-repository-out figures: README, `pnpm --filter @orchestra/learning-features eval`.
 */
export const DEFAULT_TASK_TYPE_METHOD: TaskTypeMethod = 'combined';

/**
 * Below this calibrated probability of its best type (and with no prefix, label or path evidence) the inference
 * abstains: it answers the likelier of the two generic types, `feature` and `bugfix`, instead of a specialised one
 * (docs, test, performance… which make a policy pick cheap or special handling), and reports the low confidence.
 */
export const ABSTAIN_BELOW = 0.15;
/**
 * Weight of the keyword-rule scores added to the classifier's log-probabilities in `combined` (chosen with
 * `scripts/tune-transfer.ts`, leave-one-repository-out).
 */
export const RULE_WEIGHT = 0.5;
/** Abstention threshold for a specialised type that only the classifier (no keyword rule, label or path) supports. */
export const UNSUPPORTED_ABSTAIN_BELOW = 0.25;
/** Probability given to a type the classifier never saw (security) before its keyword-rule score is added. */
const UNSEEN_TYPE_PRIOR = 0.02;
/** Logit added per point of label or path evidence (a label scores 4, a path 3 × its share of the files). */
const EXPLICIT_WEIGHT = 1;
/** Weight of the domain classifier's probabilities added to the domain scores. */
export const DOMAIN_CLASSIFIER_WEIGHT = 1.5;

/** Share of the files that must suggest a task type for the paths to vote for it. */
const PATH_TYPE_SHARE = 0.6;
/** Share of a touched path's risk (path rules: auth 1.5, payments 2, migrations 1.2…) added to the risk score. */
const PATH_RISK_SCALE = 0.75;
/** The types an unsure inference falls back to. */
const genericTypes: readonly TaskType[] = ['feature', 'bugfix'];

const labelTaskTypes: ReadonlyArray<readonly [RegExp, TaskType]> = [
  [/^(type: ?)?(bug|defect|regression|kind\/bug|fix)$/iu, 'bugfix'],
  [/^(type: ?)?(feature|enhancement|feature request|kind\/feature|feat)$/iu, 'feature'],
  [/^(type: ?)?(docs?|documentation|kind\/documentation)$/iu, 'docs'],
  [/^(type: ?)?(dependencies|deps|dependency|renovate|dependabot)$/iu, 'dependencies'],
  [/^(type: ?)?(security|vulnerability)$/iu, 'security'],
  [/^(type: ?)?(performance|perf)$/iu, 'performance'],
  [/^(type: ?)?(refactor|refactoring|tech ?debt|cleanup)$/iu, 'refactor'],
  [/^(type: ?)?(tests?|testing)$/iu, 'test'],
  [/^(type: ?)?(ci|ci\/cd|github[_ ]actions)$/iu, 'ci'],
  [/^(type: ?)?(build|packaging)$/iu, 'build'],
  [/^(type: ?)?(style|formatting|lint)$/iu, 'style'],
  [/^(type: ?)?(revert)$/iu, 'revert'],
  [/^(type: ?)?(chore|maintenance)$/iu, 'chore'],
];
const labelDomains: ReadonlyArray<readonly [RegExp, Domain]> = [
  [/(^|[:/ ])(frontend|front-end|ui|ux|css)$/iu, 'frontend'],
  [/(^|[:/ ])(backend|back-end|server)$/iu, 'backend'],
  [/(^|[:/ ])(api|graphql|rest)$/iu, 'api'],
  [/(^|[:/ ])(database|db|sql|migrations?)$/iu, 'database'],
  [/(^|[:/ ])(devops|infra|infrastructure|deployment|ci)$/iu, 'devops'],
  [/(^|[:/ ])(security|auth)$/iu, 'security'],
  [/(^|[:/ ])(tests?|testing)$/iu, 'testing'],
  [/(^|[:/ ])(docs?|documentation)$/iu, 'documentation'],
  [/(^|[:/ ])(tooling|cli|build|dx)$/iu, 'tooling'],
];
const typeDomainPrior: Readonly<Partial<Record<TaskType, readonly [Domain, number]>>> = {
  docs: ['documentation', 1.2],
  test: ['testing', 1.2],
  ci: ['devops', 1.2],
  build: ['tooling', 1],
  dependencies: ['tooling', 0.8],
  security: ['security', 1.2],
  style: ['tooling', 0.4],
};
const baseMinutes: Readonly<Record<Complexity, number>> = { simple: 20, medium: 90, complex: 360 };
const typeTimeFactor: Readonly<Record<TaskType, number>> = {
  feature: 1.3, bugfix: 1, refactor: 1.1, test: 0.8, docs: 0.5, performance: 1.2, security: 1.3, dependencies: 0.5,
  build: 0.8, ci: 0.8, style: 0.4, revert: 0.3, chore: 0.6,
};

/**
 * The task-type logits before calibration: the classifier's logits, plus in `combined` the keyword-rule scores once
 * more (the classifier under-trusts them: it also has the words of its training repositories) and the label and
 * path evidence. A type the classifier never saw (security) gets a small prior plus its rule score. Exported for the
 * evaluation, which fits the temperature on exactly these.
 */
export function combinedTaskTypeLogits(
  classifierLogits: Readonly<Record<string, number>>,
  ruleScores: ReadonlyMap<string, number>,
  explicitScores: ReadonlyMap<string, number>,
  unseenLabels: ReadonlySet<string> | undefined,
  method: TaskTypeMethod,
): number[] {
  return taskTypes.map((type) => {
    if (unseenLabels?.has(type)) return Math.log(UNSEEN_TYPE_PRIOR) + (ruleScores.get(type) ?? 0) + EXPLICIT_WEIGHT * (explicitScores.get(type) ?? 0);
    const learnt = classifierLogits[type] ?? -20;
    return method === 'combined' ? learnt + RULE_WEIGHT * (ruleScores.get(type) ?? 0) + EXPLICIT_WEIGHT * (explicitScores.get(type) ?? 0) : learnt;
  });
}

/** The features without the keyword-rule scores (`r:` names): what the domain classifier reads. */
function withoutRuleFeatures(features: SparseFeatures): SparseFeatures {
  const names: string[] = [];
  const values: number[] = [];
  features.names.forEach((name, index) => {
    if (name.startsWith('r:')) return;
    names.push(name);
    values.push(features.values[index]!);
  });
  return { names, values };
}

/** Words (runs of letters or digits) and letters of a text, in one pass (no regex over every character). */
function countWordsAndLetters(text: string): { words: number; letters: number } {
  let words = 0;
  let letters = 0;
  let inWord = false;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const isDigit = code >= 48 && code <= 57;
    const isLetter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code > 127 && /\p{L}/u.test(character));
    if (isLetter) letters += 1;
    if (isLetter || isDigit || (code > 127 && /\p{N}/u.test(character))) {
      if (!inWord) words += 1;
      inWord = true;
    } else inWord = false;
  }
  return { words, letters };
}

function softmax(scores: readonly number[]): number[] {
  const maximum = Math.max(...scores);
  const exponentials = scores.map((score) => Math.exp(score - maximum));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
}

/** A record with one number per key, written by assignment (`Object.fromEntries` costs microseconds per call). */
function recordOf<Key extends string>(keys: readonly Key[], value: (key: Key, index: number) => number): Record<Key, number> {
  const record = {} as Record<Key, number>;
  for (let index = 0; index < keys.length; index += 1) record[keys[index]!] = value(keys[index]!, index);
  return record;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function topEvidence(evidence: InferenceEvidence[], target?: string): InferenceEvidence[] {
  return evidence
    .filter((item) => target === undefined || item.target === target || item.source === 'negated')
    .sort((left, right) => right.weight - left.weight)
    .slice(0, 8);
}

/**
 * Infers a `TaskContext` from a task description, the files it touches and its labels: task type (one of 13),
 * domains (primary first), complexity, risk, estimated time and skills, each with a confidence and the evidence
 * (words, paths, labels, prefix, classifier tokens) that decided it.
 *
 * Understands Conventional Commits prefixes (`chore(deps): bump zod` → dependencies), file paths
 * (`migrations/…sql` → database, higher risk), GitHub-style labels, Spanish and mixed text, and negations
 * ("without behaviour change", "no tests"). Empty or absurd input yields a valid low-confidence context; it never
 * throws.
 */
export function inferTaskContext(input: InferTaskInput | unknown, options: InferTaskContextOptions = {}): TaskContextInference {
  try {
    return infer(input, options);
  } catch {
    return fallbackInference();
  }
}

function fallbackInference(): TaskContextInference {
  const context = taskContextSchema.parse({
    taskType: 'chore',
    domains: ['backend'],
    complexity: 'medium',
    risk: 'medium',
    estimatedTimeMinutes: 60,
    skills: [],
  });
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
  const parsed = inferTaskInputSchema.safeParse(typeof rawInput === 'string' ? { description: rawInput } : rawInput);
  const input = parsed.success ? parsed.data : { description: '', files: [], labels: [] };
  const description = input.description.slice(0, 5_000);
  const files = input.files.filter((file) => file.trim() !== '').slice(0, 2_000);
  const labels = input.labels.filter((label) => label.trim() !== '').slice(0, 50);
  const method = options.method ?? DEFAULT_TASK_TYPE_METHOD;
  const taskTypeClassifier: FeatureClassifier | null =
    method === 'rules' ? null : options.taskTypeClassifier === undefined ? shippedTaskTypeClassifier() : options.taskTypeClassifier;
  const domainClassifier = options.domainClassifier === undefined ? shippedDomainClassifier() : options.domainClassifier;

  const prefix = parseConventionalPrefix(description);
  const subject = prefix?.subject ?? description.trim();
  const ruleText = normaliseForRules(subject);
  const { words: wordCount, letters } = countWordsAndLetters(subject);
  const letterShare = subject.length === 0 ? 0 : letters / subject.length;
  const meaningful = wordCount > 0 && letterShare >= 0.4;
  // Which path rules each file matches, tested once (type, domains, risk and skills all read them).
  const fileRules = files.map((file) => pathRules.filter((candidate) => candidate.pattern.test(file)));

  // ---- task type
  const typeEvidence: InferenceEvidence[] = [];
  // Keyword-rule scores: the rules-only answer, and features of the classifier (which learnt how far to trust them).
  const ruleScores = new Map<TaskType, number>();
  applyRules(taskTypeRules, ruleText, ruleScores, typeEvidence);
  // Labels and paths are explicit evidence (none in the commit data the classifier learnt from): added on top.
  const explicitScores = new Map<TaskType, number>();
  for (const label of labels) {
    for (const [pattern, type] of labelTaskTypes) {
      if (pattern.test(label.trim())) {
        explicitScores.set(type, (explicitScores.get(type) ?? 0) + 4);
        typeEvidence.push({ source: 'label', text: label, target: type, weight: 4 });
        break;
      }
    }
  }
  // File paths: a type most files suggest (`*.md` → docs, `*.test.ts` → test); a lone test file beside source
  // files is no test task, so the share of the files must reach PATH_TYPE_SHARE.
  if (files.length > 0) {
    const pathTypeCounts = new Map<TaskType, number>();
    for (const rules of fileRules) {
      const type = rules.find((candidate) => candidate.taskType !== undefined)?.taskType;
      if (type !== undefined) pathTypeCounts.set(type, (pathTypeCounts.get(type) ?? 0) + 1);
    }
    for (const [type, count] of pathTypeCounts) {
      const share = count / files.length;
      if (share < PATH_TYPE_SHARE) continue;
      const weight = round(3 * share);
      explicitScores.set(type, (explicitScores.get(type) ?? 0) + weight);
      typeEvidence.push({ source: 'path', text: files.filter((_, index) => fileRules[index]!.some((rule) => rule.taskType === type)).slice(0, 3).join(', '), target: type, weight });
    }
  }
  let classifierProbabilities: Record<string, number> | undefined;
  let classifierLogits: Record<string, number> | undefined;
  // Read once: the task-type classifier takes these, the domain classifier the same without the rule scores.
  const subjectFeatures = meaningful ? transferFeatures(subject, ruleScores) : undefined;
  if (method !== 'rules' && taskTypeClassifier !== null && subjectFeatures !== undefined) {
    const prediction = taskTypeClassifier.predict(subjectFeatures);
    classifierProbabilities = prediction.probabilities;
    classifierLogits = prediction.logits;
    for (const feature of prediction.evidence) {
      typeEvidence.push({ source: 'classifier', text: feature, target: prediction.label, weight: round(prediction.probability) });
    }
  }
  let typeProbabilities: number[];
  if (classifierProbabilities !== undefined) {
    const logits = combinedTaskTypeLogits(classifierLogits!, ruleScores, explicitScores, taskTypeClassifier!.unseenLabels, method);
    const temperature = taskTypeClassifier!.temperature;
    typeProbabilities = softmax(logits.map((logit) => logit / temperature));
  } else {
    // Rules only: a softmax over scores; with no evidence, `bugfix` for text (the most common type of real tasks),
    // `chore` for nothing at all, both with a flat distribution.
    const scores: number[] = taskTypes.map((type) => (ruleScores.get(type) ?? 0) + (explicitScores.get(type) ?? 0));
    if (!scores.some((score) => score !== 0)) {
      const fallback: TaskType = meaningful ? 'bugfix' : 'chore';
      scores[taskTypes.indexOf(fallback)] = 0.2;
      typeEvidence.push({ source: 'default', text: meaningful ? 'no keyword matched' : 'no usable text', target: fallback, weight: 0 });
    }
    typeProbabilities = softmax(scores);
  }
  let typeIndex = typeProbabilities.indexOf(Math.max(...typeProbabilities));
  let taskType = taskTypes[typeIndex]!;
  let typeConfidence = typeProbabilities[typeIndex]!;
  const abstainBelow = options.abstainBelow ?? ABSTAIN_BELOW;
  // A specialised type no keyword, label or path supports needs UNSUPPORTED_ABSTAIN_BELOW on the classifier alone.
  const unsupported = (ruleScores.get(taskType) ?? 0) <= 0 && explicitScores.size === 0;
  if (classifierProbabilities !== undefined && explicitScores.size === 0 && !genericTypes.includes(taskType) && (typeConfidence < abstainBelow || (unsupported && typeConfidence < (options.unsupportedAbstainBelow ?? UNSUPPORTED_ABSTAIN_BELOW)))) {
    // Unsure: answer the likelier generic type rather than a specialised one, with its own (low) probability.
    const generic = genericTypes.reduce((best, type) => (typeProbabilities[taskTypes.indexOf(type)]! > typeProbabilities[taskTypes.indexOf(best)]! ? type : best));
    typeEvidence.push({ source: 'default', text: `unsure (${taskType} at ${round(typeConfidence)})`, target: generic, weight: 0 });
    taskType = generic;
    typeIndex = taskTypes.indexOf(generic);
    typeConfidence = typeProbabilities[typeIndex]!;
  }
  if (prefix !== undefined) {
    const prefixed = taskTypeOfConventionalCommit(prefix.type, prefix.scope);
    if (prefixed !== undefined) {
      taskType = prefixed;
      typeIndex = taskTypes.indexOf(prefixed);
      typeConfidence = 0.95;
      typeEvidence.unshift({ source: 'prefix', text: prefix.prefix, target: prefixed, weight: 10 });
    }
  }
  if (!meaningful && prefix === undefined && ruleScores.size === 0 && explicitScores.size === 0) typeConfidence = Math.min(typeConfidence, 0.1);
  const probabilities = recordOf(taskTypes, (type, index) => round(typeProbabilities[index]!));

  // ---- domains
  const domainEvidence: InferenceEvidence[] = [];
  const domainScores = new Map<Domain, number>();
  applyRules(domainRules, ruleText, domainScores, domainEvidence);
  if (prefix !== undefined && prefix.scope !== '') applyRules(domainRules, normaliseForRules(prefix.scope.replace(/[-_/]/gu, ' ')), domainScores, domainEvidence, 1.5);
  const pathDomainCounts = new Map<Domain, number>();
  for (const [fileIndex, file] of files.entries()) {
    const matched = new Set<Domain>();
    for (const candidate of fileRules[fileIndex]!) {
      for (const domain of candidate.domains) {
        if (matched.has(domain)) continue;
        matched.add(domain);
        pathDomainCounts.set(domain, (pathDomainCounts.get(domain) ?? 0) + 1);
        if ((pathDomainCounts.get(domain) ?? 0) <= 3) {
          domainEvidence.push({ source: 'path', text: file, target: domain, weight: 0 });
        }
      }
      if (matched.size >= 2) break;
    }
  }
  for (const [domain, count] of pathDomainCounts) {
    // Paths are strong evidence; the share of files decides the order, a single file still counts.
    const weight = 1.5 + 3 * (count / files.length);
    domainScores.set(domain, (domainScores.get(domain) ?? 0) + weight);
    for (const item of domainEvidence) if (item.source === 'path' && item.target === domain) item.weight = round(weight);
  }
  for (const label of labels) {
    for (const [pattern, domain] of labelDomains) {
      if (pattern.test(label.trim())) {
        domainScores.set(domain, (domainScores.get(domain) ?? 0) + 4);
        domainEvidence.push({ source: 'label', text: label, target: domain, weight: 4 });
        break;
      }
    }
  }
  const prior = typeDomainPrior[taskType];
  if (prior !== undefined) {
    domainScores.set(prior[0], (domainScores.get(prior[0]) ?? 0) + prior[1]);
    domainEvidence.push({ source: 'default', text: `task type ${taskType}`, target: prior[0], weight: prior[1] });
  }
  if (domainClassifier !== null && meaningful) {
    const prediction = domainClassifier.predict(prefix?.scope ? domainFeaturesOf(`${prefix.scope} ${subject}`) : withoutRuleFeatures(subjectFeatures!));
    if (prediction.evidence.length > 0) {
      for (const domain of allDomains) {
        const weight = DOMAIN_CLASSIFIER_WEIGHT * (prediction.probabilities[domain] ?? 0);
        if (weight > 0) domainScores.set(domain, (domainScores.get(domain) ?? 0) + weight);
      }
      for (const token of prediction.evidence.slice(0, 3)) {
        domainEvidence.push({ source: 'classifier', text: token, target: prediction.label, weight: round(DOMAIN_CLASSIFIER_WEIGHT * prediction.probability) });
      }
    }
  }
  const rankedDomains = allDomains
    .map((domain) => ({ domain, score: domainScores.get(domain) ?? 0 }))
    .filter((item) => item.score > 0)
    .sort((left, right) => right.score - left.score || allDomains.indexOf(left.domain) - allDomains.indexOf(right.domain));
  let domainList: Domain[];
  let domainConfidence: number;
  if (rankedDomains.length === 0) {
    domainList = ['backend'];
    domainConfidence = 0.1;
    domainEvidence.push({ source: 'default', text: 'no domain evidence', target: 'backend', weight: 0 });
  } else {
    const top = rankedDomains[0]!.score;
    domainList = rankedDomains.filter((item, index) => index === 0 || (item.score >= 0.4 * top && item.score >= 1.2)).map((item) => item.domain).slice(0, 4);
    const second = rankedDomains[1]?.score ?? 0;
    domainConfidence = Math.min(0.95, (top / (top + second + 1)) * Math.min(1, top / 2.5) + 0.1);
  }
  const domainScoreRecord = recordOf(allDomains, (domain) => round(domainScores.get(domain) ?? 0));

  // ---- complexity
  const complexityEvidence: InferenceEvidence[] = [];
  const complexityScores = new Map<'up' | 'down', number>();
  applyRules(complexityRules, ruleText, complexityScores, complexityEvidence);
  let complexityScore = (complexityScores.get('up') ?? 0) - (complexityScores.get('down') ?? 0);
  const addComplexity = (weight: number, text: string, source: InferenceEvidence['source']): void => {
    complexityScore += weight;
    complexityEvidence.push({ source, text, target: weight > 0 ? 'up' : 'down', weight });
  };
  // The number of files is the most direct measure of a change's size: 1–2 files lean simple, 3–7 medium, 8+ complex.
  if (files.length >= 15) addComplexity(2, `${files.length} files`, 'count');
  else if (files.length >= 8) addComplexity(1.5, `${files.length} files`, 'count');
  else if (files.length >= 3) addComplexity(0.5, `${files.length} files`, 'count');
  else if (files.length === 2) addComplexity(-0.5, '2 files', 'count');
  else if (files.length === 1) addComplexity(-1, '1 file', 'count');
  if (domainList.length >= 3) addComplexity(1, `${domainList.length} domains`, 'count');
  else if (domainList.length === 2) addComplexity(0.5, '2 domains', 'count');
  if (wordCount > 30) addComplexity(0.5, `${wordCount} words`, 'count');
  if (['docs', 'style', 'dependencies', 'revert'].includes(taskType)) addComplexity(-1, `task type ${taskType}`, 'default');
  if (['feature', 'security', 'performance'].includes(taskType)) addComplexity(0.5, `task type ${taskType}`, 'default');
  const complexity: Complexity = complexityScore <= -0.5 ? 'simple' : complexityScore >= 2 ? 'complex' : 'medium';
  const complexityConfidence = Math.min(0.9, 0.35 + 0.15 * Math.abs(complexityScore - 0.5));

  // ---- risk
  const riskEvidence: InferenceEvidence[] = [];
  const riskScores = new Map<'risk', number>();
  applyRules(riskRules, ruleText, riskScores, riskEvidence);
  let riskScore = riskScores.get('risk') ?? 0;
  let pathRisk = 0;
  for (const [fileIndex, file] of files.entries()) {
    const matched = fileRules[fileIndex]!.find((candidate) => candidate.risk !== undefined);
    if (matched?.risk !== undefined && matched.risk > pathRisk) {
      pathRisk = matched.risk;
      riskEvidence.push({ source: 'path', text: file, target: 'risk', weight: matched.risk });
    }
  }
  // Touching auth, migrations or payments code is riskier, but less than saying the change goes to production.
  riskScore += PATH_RISK_SCALE * pathRisk;
  for (const item of riskEvidence) if (item.source === 'path') item.weight = round(PATH_RISK_SCALE * item.weight);
  if (taskType === 'security') {
    riskScore += 1;
    riskEvidence.push({ source: 'default', text: 'task type security', target: 'risk', weight: 1 });
  }
  if (prefix?.breaking === true) {
    riskScore += 1;
    riskEvidence.push({ source: 'prefix', text: prefix.prefix, target: 'risk', weight: 1 });
  }
  if (complexity !== 'medium') {
    const weight = complexity === 'complex' ? 0.75 : -0.5;
    riskScore += weight;
    riskEvidence.push({ source: 'default', text: `complexity ${complexity}`, target: 'risk', weight });
  }
  if (domainList.includes('security') || domainList[0] === 'database' || domainList[0] === 'devops') {
    riskScore += 0.5;
    riskEvidence.push({ source: 'default', text: `domain ${domainList.includes('security') ? 'security' : domainList[0]}`, target: 'risk', weight: 0.5 });
  }
  if (['docs', 'style', 'test'].includes(taskType)) {
    riskScore -= 1;
    riskEvidence.push({ source: 'default', text: `task type ${taskType}`, target: 'risk', weight: -1 });
  }
  if (files.length >= 20) {
    riskScore += 0.5;
    riskEvidence.push({ source: 'count', text: `${files.length} files`, target: 'risk', weight: 0.5 });
  }
  const risk: RiskLevel = riskScore >= 2.5 ? 'high' : riskScore >= 0.75 ? 'medium' : 'low';
  const riskConfidence = Math.min(0.9, 0.4 + 0.15 * Math.abs(riskScore - 1));

  // ---- skills
  const skillEvidence: InferenceEvidence[] = [];
  const skillScores = new Map<string, number>();
  applyRules(skillRules, ruleText, skillScores, skillEvidence);
  for (const [fileIndex, file] of files.entries()) {
    const extension = /\.([a-z0-9]+)$/iu.exec(file)?.[1]?.toLowerCase();
    const skill = extension === undefined ? undefined : extensionSkills[extension];
    const pathSkills = fileRules[fileIndex]!.find((candidate) => candidate.skills !== undefined)?.skills ?? [];
    for (const name of skill === undefined ? pathSkills : [skill, ...pathSkills]) {
      if (!skillScores.has(name)) skillEvidence.push({ source: 'path', text: file, target: name, weight: 1 });
      skillScores.set(name, (skillScores.get(name) ?? 0) + 1);
    }
  }
  const skills = [...skillScores.entries()].sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0)).map(([name]) => name).slice(0, 10);

  // ---- time
  const fileFactor = 1 + 0.05 * Math.min(files.length, 40);
  const estimatedTimeMinutes = Math.max(5, Math.round(baseMinutes[complexity] * typeTimeFactor[taskType] * fileFactor));
  const timeEvidence: InferenceEvidence[] = [
    { source: 'default', text: `complexity ${complexity}: ${baseMinutes[complexity]} min`, target: 'time', weight: baseMinutes[complexity] },
    { source: 'default', text: `task type ${taskType}: ×${typeTimeFactor[taskType]}`, target: 'time', weight: typeTimeFactor[taskType] },
  ];
  if (files.length > 0) timeEvidence.push({ source: 'count', text: `${files.length} files: ×${round(fileFactor)}`, target: 'time', weight: fileFactor });

  const context = taskContextSchema.parse({
    taskType,
    domains: domainList,
    complexity,
    risk,
    estimatedTimeMinutes,
    skills,
    ...(files.length > 0 ? { fileCount: files.length } : {}),
    ...(description !== '' ? { description } : {}),
  });
  const evidenceStrength = meaningful || files.length > 0 || labels.length > 0 ? 1 : 0.3;
  const confidence = round(Math.min(typeConfidence, 0.5 * typeConfidence + 0.5 * domainConfidence) * evidenceStrength);
  return {
    context,
    taskType: { value: taskType, confidence: round(typeConfidence), evidence: topEvidence(typeEvidence, taskType), probabilities },
    domains: { value: domainList, confidence: round(domainConfidence), evidence: topEvidence(domainEvidence).filter((item) => item.source === 'negated' || domainList.includes(item.target as Domain)), scores: domainScoreRecord },
    complexity: { value: complexity, confidence: round(complexityConfidence * evidenceStrength), evidence: topEvidence(complexityEvidence) },
    risk: { value: risk, confidence: round(riskConfidence * evidenceStrength), evidence: topEvidence(riskEvidence) },
    estimatedTimeMinutes: { value: estimatedTimeMinutes, confidence: round(0.3 * evidenceStrength), evidence: timeEvidence },
    skills: { value: skills, confidence: round((skills.length > 0 ? 0.6 : 0.2) * evidenceStrength), evidence: skillEvidence.slice(0, 10) },
    confidence,
  };
}
