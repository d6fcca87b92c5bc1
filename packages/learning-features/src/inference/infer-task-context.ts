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
import { complexityRules, domainRules, negationPattern, riskRules, skillRules, taskTypeRules, type KeywordRule } from './keyword-rules';
import type { NaiveBayesPrediction } from './naive-bayes';
import { extensionSkills, pathRules } from './path-rules';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
import { classifierFeatures } from './tokenize';

/** Input of `inferTaskContext`. Anything malformed is coerced (bad fields dropped), never thrown. */
export const inferTaskInputSchema = z.object({
  description: z.string().catch(''),
  files: z.array(z.string()).catch([]).default([]),
  labels: z.array(z.string()).catch([]).default([]),
});
/** Input of `inferTaskContext`. */
export type InferTaskInput = z.input<typeof inferTaskInputSchema>;

/** Why a value was inferred: which words, paths, labels or model decided it. */
export interface InferenceEvidence {
  source: 'prefix' | 'keyword' | 'negated' | 'path' | 'label' | 'classifier' | 'count' | 'default';
  /** The text that matched (a word, a path, a label, the prefix). */
  text: string;
  /** The value it voted for. */
  target: string;
  weight: number;
}

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
 * How the task type is chosen: keyword rules only, the learned classifier only, or both. The default is the one
 * that scored best on the held-out part (`pnpm bench`): currently `combined` (see DEFAULT_TASK_TYPE_METHOD).
 */
export type TaskTypeMethod = 'rules' | 'classifier' | 'combined';

/** Anything that turns tokens into class probabilities (`NaiveBayesClassifier`, `LogisticRegressionClassifier`). */
export interface TokenClassifier {
  readonly labels: readonly string[];
  predict(tokens: readonly string[]): NaiveBayesPrediction;
  /** Optional: class probabilities from the raw text (used instead of `predict` when present, e.g. character grams). */
  predictText?(text: string): NaiveBayesPrediction;
}

/** Options of `inferTaskContext` (mostly for evaluation: swap the classifiers or the method). */
export interface InferTaskContextOptions {
  /** Task-type method; default `DEFAULT_TASK_TYPE_METHOD`. */
  method?: TaskTypeMethod;
  /** Task-type classifier; default the shipped one (`null` to disable). */
  taskTypeClassifier?: TokenClassifier | null;
  /** Primary-domain classifier; default the shipped one (`null` to disable). */
  domainClassifier?: TokenClassifier | null;
  /** Weight of keyword-rule scores against classifier log-probabilities in `combined`; default `RULE_WEIGHT`. */
  ruleWeight?: number;
  /** Share of the classifier's distribution replaced by uniform in `combined`; default `CLASSIFIER_SMOOTHING`. */
  classifierSmoothing?: number;
}

/**
 * The task-type method used by default: the winner on the held-out set in `pnpm bench` (the newest 20 % of each
 * repository's commits, trained and tuned on the older 80 %): combined 68.1 % vs classifier 67.8 % vs rules 45.8 %.
 */
export const DEFAULT_TASK_TYPE_METHOD: TaskTypeMethod = 'combined';

/**
 * Weight of the keyword-rule scores against the classifier's log-probabilities in the `combined` method. Chosen by
 * `scripts/tune-task-type.ts` on the development split (validation = newest 20 % of the older 80 % of each
 * repository), never on the held-out part.
 */
export const RULE_WEIGHT = 1;
/**
 * Share of the classifier's task-type distribution mixed with uniform before combining with the rules (chosen on
 * the development split with `scripts/tune-task-type.ts`, like RULE_WEIGHT).
 */
export const CLASSIFIER_SMOOTHING = 0.5;
/** Weight of label and path evidence (per score point) in the `combined` logits. */
const EXPLICIT_WEIGHT = 3;
/** Weight of the domain classifier's probabilities added to the domain scores. */
export const DOMAIN_CLASSIFIER_WEIGHT = 1.5;

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

/** Lower-cases and folds version numbers to `vnum` so rules can match "from vnum to vnum". */
function normaliseForRules(text: string): string {
  return ` ${text.toLowerCase().replace(/(?<![\w.])([v^~]?\d+(\.\d+)+(-[\w.]+)?|v\d+)(?![\w.])/gu, ' vnum ').replace(/\s+/gu, ' ')} `;
}

const negatedPhrase = /\b(no|without|sin)\s+(?!longer\b)[^\s,;.:()]+(\s+[^\s,;.:()]+){0,2}/giu;

/** The text with the up-to-three words after `no`/`without`/`sin` removed (what the classifier reads). */
function withoutNegatedPhrases(text: string): string {
  return text.replace(negatedPhrase, ' ').replace(/\s+/gu, ' ').trim();
}

/** Whether a negation word appears within the three words before `index`. */
function isNegated(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 40), index).trim().split(/[\s,;]+/u).slice(-3);
  // "no longer crashes" describes a fix, not the absence of one.
  return before.some((word, position) => negationPattern.test(word) && before[position + 1] !== 'longer');
}

/** Applies keyword rules: adds scores per target and evidence, honouring negations and leading bonuses. */
function applyRules<Target extends string>(
  rules: ReadonlyArray<KeywordRule<Target>>,
  text: string,
  scores: Map<Target, number>,
  evidence: InferenceEvidence[],
  scale = 1,
): void {
  const firstWord = /^\s*[^\s]/u.exec(text)?.index ?? 0;
  for (const current of rules) {
    const pattern = current.pattern;
    pattern.lastIndex = 0;
    let seen: string[] | undefined;
    // exec on the shared global regex: `matchAll` would clone the regex on every call.
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) pattern.lastIndex += 1;
      const word = match[0];
      if (seen?.includes(word)) continue;
      (seen ??= []).push(word);
      const index = match.index;
      if ((current.negatable ?? true) && isNegated(text, index)) {
        evidence.push({ source: 'negated', text: word, target: current.target, weight: 0 });
        continue;
      }
      const weight = (current.weight + (index <= firstWord ? (current.leadingBonus ?? 0) : 0)) * scale;
      scores.set(current.target, (scores.get(current.target) ?? 0) + weight);
      evidence.push({ source: 'keyword', text: word, target: current.target, weight });
    }
  }
}

function softmax(scores: readonly number[]): number[] {
  const maximum = Math.max(...scores);
  const exponentials = scores.map((score) => Math.exp(score - maximum));
  const sum = exponentials.reduce((total, value) => total + value, 0);
  return exponentials.map((value) => value / sum);
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
  const taskTypeClassifier: TokenClassifier | null =
    method === 'rules' ? null : options.taskTypeClassifier === undefined ? shippedTaskTypeClassifier() : options.taskTypeClassifier;
  const domainClassifier = options.domainClassifier === undefined ? shippedDomainClassifier() : options.domainClassifier;

  const prefix = parseConventionalPrefix(description);
  const subject = prefix?.subject ?? description.trim();
  const ruleText = normaliseForRules(subject);
  const wordCount = (subject.match(/[\p{L}\p{N}]+/gu) ?? []).length;
  const letterShare = subject.length === 0 ? 0 : (subject.match(/\p{L}/gu) ?? []).length / subject.length;
  const meaningful = wordCount > 0 && letterShare >= 0.4;

  // ---- task type
  const typeEvidence: InferenceEvidence[] = [];
  const typeScores = new Map<TaskType, number>();
  // Labels and paths are explicit evidence (none in the commit data): in `combined` they count EXPLICIT_WEIGHT
  // times, so a classifier trained on subjects alone cannot overrule them.
  const explicitScores = new Map<TaskType, number>();
  if (method !== 'classifier') applyRules(taskTypeRules, ruleText, typeScores, typeEvidence);
  for (const label of labels) {
    for (const [pattern, type] of labelTaskTypes) {
      if (pattern.test(label.trim())) {
        typeScores.set(type, (typeScores.get(type) ?? 0) + 4);
        explicitScores.set(type, (explicitScores.get(type) ?? 0) + 4);
        typeEvidence.push({ source: 'label', text: label, target: type, weight: 4 });
        break;
      }
    }
  }
  const fileTypes = files.map((file) => pathRules.find((candidate) => candidate.taskType !== undefined && candidate.pattern.test(file))?.taskType);
  if (files.length > 0 && fileTypes.every((type) => type !== undefined && type === fileTypes[0])) {
    const type = fileTypes[0]!;
    typeScores.set(type, (typeScores.get(type) ?? 0) + 3);
    explicitScores.set(type, (explicitScores.get(type) ?? 0) + 3);
    typeEvidence.push({ source: 'path', text: files.slice(0, 3).join(', '), target: type, weight: 3 });
  }
  let classifierProbabilities: Record<string, number> | undefined;
  let classifierCoverage = 0;
  if (method !== 'rules' && taskTypeClassifier !== null && meaningful) {
    // Negated phrases ("no new tests", "without behaviour change") are not evidence for the classifier either.
    const classifierText = withoutNegatedPhrases(subject);
    const features = classifierFeatures(classifierText);
    const prediction = taskTypeClassifier.predictText === undefined ? taskTypeClassifier.predict(features) : taskTypeClassifier.predictText(classifierText);
    classifierCoverage = features.length === 0 ? 0 : Math.min(1, prediction.knownTokens / features.length);
    if (prediction.knownTokens > 0) {
      classifierProbabilities = prediction.probabilities;
      for (const token of prediction.evidence) {
        typeEvidence.push({ source: 'classifier', text: token, target: prediction.label, weight: round(prediction.probability) });
      }
    }
  }
  let typeProbabilities: number[];
  if (classifierProbabilities !== undefined) {
    // Smoothing towards uniform bounds the classifier's veto: a class it never saw (security) can still win on rules.
    const smoothing = method === 'combined' ? (options.classifierSmoothing ?? CLASSIFIER_SMOOTHING) : 0;
    const ruleWeight = options.ruleWeight ?? RULE_WEIGHT;
    const logits = taskTypes.map(
      (type) =>
        Math.log((1 - smoothing) * (classifierProbabilities![type] ?? 0) + smoothing / taskTypes.length + 1e-9) +
        ruleWeight * (typeScores.get(type) ?? 0) +
        (EXPLICIT_WEIGHT - ruleWeight) * (explicitScores.get(type) ?? 0),
    );
    typeProbabilities = softmax(logits);
  } else {
    // Rules only: a softmax over scores; with no evidence, the tuning repository's most common type (bugfix) for
    // text, `chore` for nothing at all, both with a flat distribution.
    const scores: number[] = taskTypes.map((type) => typeScores.get(type) ?? 0);
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
  if (classifierProbabilities !== undefined && typeScores.size === 0) typeConfidence *= 0.5 + 0.5 * classifierCoverage;
  if (prefix !== undefined) {
    const prefixed = taskTypeOfConventionalCommit(prefix.type, prefix.scope);
    if (prefixed !== undefined) {
      taskType = prefixed;
      typeIndex = taskTypes.indexOf(prefixed);
      typeConfidence = 0.95;
      typeEvidence.unshift({ source: 'prefix', text: prefix.prefix, target: prefixed, weight: 10 });
    }
  }
  if (!meaningful && prefix === undefined && typeScores.size === 0) typeConfidence = Math.min(typeConfidence, 0.1);
  const probabilities = Object.fromEntries(taskTypes.map((type, index) => [type, round(typeProbabilities[index]!)])) as Record<TaskType, number>;

  // ---- domains
  const domainEvidence: InferenceEvidence[] = [];
  const domainScores = new Map<Domain, number>();
  applyRules(domainRules, ruleText, domainScores, domainEvidence);
  if (prefix !== undefined && prefix.scope !== '') applyRules(domainRules, normaliseForRules(prefix.scope.replace(/[-_/]/gu, ' ')), domainScores, domainEvidence, 1.5);
  const pathDomainCounts = new Map<Domain, number>();
  for (const file of files) {
    const matched = new Set<Domain>();
    for (const candidate of pathRules) {
      if (!candidate.pattern.test(file)) continue;
      for (const domain of candidate.domains) {
        if (matched.has(domain)) continue;
        matched.add(domain);
        pathDomainCounts.set(domain, (pathDomainCounts.get(domain) ?? 0) + 1);
        if (domainEvidence.filter((item) => item.source === 'path' && item.target === domain).length < 3) {
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
    const prediction = domainClassifier.predict(classifierFeatures(prefix?.scope ? `${prefix.scope} ${subject}` : subject));
    if (prediction.knownTokens > 0) {
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
  const domainScoreRecord = Object.fromEntries(allDomains.map((domain) => [domain, round(domainScores.get(domain) ?? 0)])) as Record<Domain, number>;

  // ---- complexity
  const complexityEvidence: InferenceEvidence[] = [];
  const complexityScores = new Map<'up' | 'down', number>();
  applyRules(complexityRules, ruleText, complexityScores, complexityEvidence);
  let complexityScore = (complexityScores.get('up') ?? 0) - (complexityScores.get('down') ?? 0);
  const addComplexity = (weight: number, text: string, source: InferenceEvidence['source']): void => {
    complexityScore += weight;
    complexityEvidence.push({ source, text, target: weight > 0 ? 'up' : 'down', weight });
  };
  if (files.length >= 15) addComplexity(2, `${files.length} files`, 'count');
  else if (files.length >= 5) addComplexity(1, `${files.length} files`, 'count');
  else if (files.length === 1) addComplexity(-0.5, '1 file', 'count');
  if (domainList.length >= 3) addComplexity(1, `${domainList.length} domains`, 'count');
  if (wordCount > 30) addComplexity(0.5, `${wordCount} words`, 'count');
  if (['docs', 'style', 'dependencies', 'revert'].includes(taskType)) addComplexity(-1, `task type ${taskType}`, 'default');
  if (['feature', 'security', 'performance'].includes(taskType)) addComplexity(0.5, `task type ${taskType}`, 'default');
  const complexity: Complexity = complexityScore <= -0.5 ? 'simple' : complexityScore >= 1.5 ? 'complex' : 'medium';
  const complexityConfidence = Math.min(0.9, 0.35 + 0.15 * Math.abs(complexityScore - 0.5));

  // ---- risk
  const riskEvidence: InferenceEvidence[] = [];
  const riskScores = new Map<'risk', number>();
  applyRules(riskRules, ruleText, riskScores, riskEvidence);
  let riskScore = riskScores.get('risk') ?? 0;
  let pathRisk = 0;
  for (const file of files) {
    const matched = pathRules.find((candidate) => candidate.risk !== undefined && candidate.pattern.test(file));
    if (matched?.risk !== undefined && matched.risk > pathRisk) {
      pathRisk = matched.risk;
      riskEvidence.push({ source: 'path', text: file, target: 'risk', weight: matched.risk });
    }
  }
  riskScore += pathRisk;
  if (taskType === 'security') {
    riskScore += 1.5;
    riskEvidence.push({ source: 'default', text: 'task type security', target: 'risk', weight: 1.5 });
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
  const risk: RiskLevel = riskScore >= 2 ? 'high' : riskScore >= 0.75 ? 'medium' : 'low';
  const riskConfidence = Math.min(0.9, 0.4 + 0.15 * Math.abs(riskScore - 1));

  // ---- skills
  const skillEvidence: InferenceEvidence[] = [];
  const skillScores = new Map<string, number>();
  applyRules(skillRules, ruleText, skillScores, skillEvidence);
  for (const file of files) {
    const extension = /\.([a-z0-9]+)$/iu.exec(file)?.[1]?.toLowerCase();
    const skill = extension === undefined ? undefined : extensionSkills[extension];
    const pathSkills = pathRules.find((candidate) => candidate.skills !== undefined && candidate.pattern.test(file))?.skills ?? [];
    for (const name of skill === undefined ? pathSkills : [skill, ...pathSkills]) {
      if (!skillScores.has(name)) skillEvidence.push({ source: 'path', text: file, target: name, weight: 1 });
      skillScores.set(name, (skillScores.get(name) ?? 0) + 1);
    }
  }
  const skills = [...skillScores.entries()].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])).map(([name]) => name).slice(0, 10);

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
