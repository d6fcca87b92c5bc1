import {
  complexities,
  domains as allDomains,
  riskLevels,
  taskTypes,
  type Domain,
  type RiskLevel,
  type TaskContext,
} from '@orchestra/learning-types';
import { normal, pick, poisson, weightedIndex, type UniformSource } from './random';
import type { World } from './world-schema';

/** A simulated task as an orchestrator receives it (description and files), plus the truth behind it. */
export interface SimulatedTask {
  /** The task text, as a user or an issue tracker would write it. */
  description: string;
  /** Files the task touches (paths as in a repository). */
  files: string[];
  /** What the task really is. A learner must not read this: it sees only `description` and `files`. */
  trueContext: TaskContext;
}

const skillOfDomain: Readonly<Record<Domain, string>> = {
  frontend: 'react',
  backend: 'nodejs',
  api: 'rest',
  database: 'sql',
  devops: 'docker',
  security: 'auth',
  testing: 'vitest',
  documentation: 'markdown',
  tooling: 'typescript',
};

const riskSuffixes: Readonly<Record<RiskLevel, readonly string[]>> = {
  low: ['', '', ' (internal only)'],
  medium: ['', ' for the next release', ' in the shared library'],
  high: [' in production', ' before the payments release', ' (touches customer data)', ' on the live cluster'],
};
const complexitySuffixes: Readonly<Record<(typeof complexities)[number], readonly string[]>> = {
  simple: ['', ' (small change)', ' quickly'],
  medium: ['', ' and update the callers', ' with tests'],
  complex: [' across all services', ' end to end', ' (large change, several modules)', ' and migrate existing data'],
};

function withoutArticle(subject: string): string {
  return subject.replace(/^(the|a|an) /, '');
}

/**
 * Draws one task from the world's task distribution. The description is written from the world's templates and
 * vocabulary, with words that hint at the true risk and complexity (as real task texts do, imperfectly), so it can
 * go through `inferTaskContext` like a real one.
 */
export function sampleTask(world: World, rng: UniformSource): SimulatedTask {
  const distribution = world.tasks;
  const taskType = taskTypes[weightedIndex(rng, taskTypes.map((type) => distribution.typeWeights[type] as number))] as TaskContext['taskType'];
  const complexityWeights = distribution.complexityWeightsByType[taskType] ?? distribution.complexityWeights;
  const complexity = complexities[weightedIndex(rng, complexities.map((level) => complexityWeights[level] as number))] as TaskContext['complexity'];
  const domainWeights = distribution.domainWeightsByType[taskType] ?? distribution.domainWeights;
  const primary = allDomains[weightedIndex(rng, allDomains.map((domain) => domainWeights[domain] as number))] as Domain;
  const domains: Domain[] = [primary];
  while (domains.length < distribution.maxDomains && rng.next() < (distribution.extraDomainProbability[complexity] as number)) {
    const weights = allDomains.map((domain) => (domains.includes(domain) ? 0 : (distribution.domainWeights[domain] as number) + 0.01));
    domains.push(allDomains[weightedIndex(rng, weights)] as Domain);
  }

  let riskLevel = weightedIndex(rng, riskLevels.map((risk) => distribution.riskWeights[complexity]?.[risk] as number));
  const risky = distribution.riskyTypes.includes(taskType) || domains.some((domain) => distribution.riskyDomains.includes(domain));
  if (risky && riskLevel < 2 && rng.next() < 0.5) riskLevel += 1;
  const risk = riskLevels[riskLevel] as RiskLevel;

  const estimatedTimeMinutes =
    Math.round(
      (distribution.estimatedMinutes[complexity] as number) *
        Math.exp(distribution.estimatedMinutesSigma * normal(rng)) *
        (1 + 0.2 * (domains.length - 1)) *
        10,
    ) / 10 || 0.1;

  const fileCount = 1 + poisson(rng, distribution.extraFilesMean[complexity] as number);
  const files: string[] = [];
  for (let index = 0; files.length < fileCount && index < fileCount * 3; index += 1) {
    const domain = domains[index % domains.length] as Domain;
    const candidates = distribution.vocabulary[domain]?.files ?? [];
    const file = index < candidates.length * domains.length ? pick(rng, candidates) : `src/${domain}/module-${index}.ts`;
    if (!files.includes(file)) files.push(file);
  }
  while (files.length < fileCount) files.push(`src/${primary}/part-${files.length}.ts`);

  const vocabulary = distribution.vocabulary[primary];
  const subject = pick(rng, vocabulary?.subjects ?? ['the module']);
  const filled = pick(rng, distribution.templates[taskType] ?? ['Work on {subject}'])
    .replaceAll('{subject}', subject)
    .replaceAll('{component}', withoutArticle(pick(rng, vocabulary?.subjects ?? ['module'])))
    .replaceAll('{package}', primary)
    .replaceAll('{file}', files[0] as string);
  const secondary = domains[1];
  const also = secondary === undefined ? '' : `; also update ${pick(rng, distribution.vocabulary[secondary]?.subjects ?? [secondary])}`;
  const description = `${filled}${also}${pick(rng, complexitySuffixes[complexity])}${pick(rng, riskSuffixes[risk])}`;

  const trueContext: TaskContext = {
    taskType,
    domains,
    complexity,
    risk,
    estimatedTimeMinutes,
    skills: domains.map((domain) => skillOfDomain[domain]),
    fileCount: files.length,
    description,
  };
  return { description, files, trueContext };
}
