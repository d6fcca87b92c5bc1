import { domains as allDomains, type Domain, type TaskType } from '@orchestra/learning-types';
import { domainRecord, labelEvidence, round, topEvidence, type InferredValue } from './inference-helpers';
import { predictTransfer, type FeatureClassifier } from './infer-task-type';
import { domainRules } from './keyword-rules';
import { applyRules, normaliseForRules, type InferenceEvidence } from './rule-engine';
import { SoftmaxClassifier } from './softmax-classifier';
import type { TaskAnalysis } from './task-analysis';
import { labelPositions, transferFeatureIndexOf, transferScoresOf, type TransferScores } from './transfer-feature-index';
import { domainFeaturesOf, subjectWords } from './transfer-features';

/** Weight of the domain classifier's probabilities added to the domain scores. */
export const DOMAIN_CLASSIFIER_WEIGHT = 1.5;

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
const domainIndex = Object.fromEntries(allDomains.map((domain, index) => [domain, index])) as Record<Domain, number>;
const typeDomainPrior: Readonly<Partial<Record<TaskType, readonly [Domain, number]>>> = {
  docs: ['documentation', 1.2],
  test: ['testing', 1.2],
  ci: ['devops', 1.2],
  build: ['tooling', 1],
  dependencies: ['tooling', 0.8],
  security: ['security', 1.2],
  style: ['tooling', 0.4],
};

/** Path evidence: each file votes for up to two domains; the share of files decides the weight. */
function pathDomainEvidence(analysis: TaskAnalysis, scores: Map<Domain, number>, evidence: InferenceEvidence[]): void {
  const { files, paths } = analysis;
  if (files.length === 0) return;
  const counts = new Array<number>(allDomains.length).fill(0);
  /** Domains in the order a file first voted for them (the order of `scores` and of the evidence). */
  const order: number[] = [];
  for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
    const file = files[fileIndex]!;
    let matched = 0;
    let matchedCount = 0;
    for (const candidate of paths[fileIndex]!.rules) {
      for (const domain of candidate.domains) {
        const bit = 1 << domainIndex[domain];
        if ((matched & bit) !== 0) continue;
        matched |= bit;
        matchedCount += 1;
        const at = domainIndex[domain];
        if (counts[at] === 0) order.push(at);
        counts[at] = counts[at]! + 1;
        if (counts[at]! <= 3) evidence.push({ source: 'path', text: file, target: domain, weight: 0 });
      }
      if (matchedCount >= 2) break;
    }
  }
  for (const at of order) {
    const domain = allDomains[at]!;
    // Paths are strong evidence; the share of files decides the order, a single file still counts.
    const weight = 1.5 + 3 * (counts[at]! / files.length);
    scores.set(domain, (scores.get(domain) ?? 0) + weight);
    for (const item of evidence) if (item.source === 'path' && item.target === domain) item.weight = round(weight);
  }
}

/** Adds the domain classifier's probabilities (× DOMAIN_CLASSIFIER_WEIGHT); the scope, when there is one, is read too. */
function classifierDomainEvidence(classifier: FeatureClassifier, analysis: TaskAnalysis, scores: Map<Domain, number>, evidence: InferenceEvidence[]): void {
  const { prefix, subject } = analysis;
  let prediction: TransferScores;
  if (prefix?.scope) {
    const text = `${prefix.scope} ${subject}`;
    prediction = classifier instanceof SoftmaxClassifier ? transferFeatureIndexOf(classifier).score(subjectWords(text)) : transferScoresOf(classifier.labels, classifier.predict(domainFeaturesOf(text)));
  } else prediction = predictTransfer(classifier, analysis);
  if (prediction.evidence.length === 0) return;
  const positions = labelPositions(prediction.labels, allDomains);
  for (let index = 0; index < allDomains.length; index += 1) {
    const domain = allDomains[index]!;
    const position = positions[index]!;
    const weight = DOMAIN_CLASSIFIER_WEIGHT * (position < 0 ? 0 : prediction.probabilities[position]!);
    if (weight > 0) scores.set(domain, (scores.get(domain) ?? 0) + weight);
  }
  const weight = round(DOMAIN_CLASSIFIER_WEIGHT * prediction.probabilities[prediction.best]!);
  for (const token of prediction.evidence.slice(0, 3)) evidence.push({ source: 'classifier', text: token, target: prediction.labels[prediction.best]!, weight });
}

/**
 * The domains, primary first: keyword rules over the subject (and, weighted 1.5, the conventional scope), file paths,
 * labels, a prior from the task type, and the domain classifier. The confidence is unrounded (`inferTaskContext`
 * rounds).
 */
export function inferDomains(analysis: TaskAnalysis, taskType: TaskType, classifier: FeatureClassifier | null): InferredValue<Domain[]> & { scores: Record<Domain, number> } {
  const { prefix } = analysis;
  const evidence: InferenceEvidence[] = [];
  const scores = new Map<Domain, number>();
  applyRules(domainRules, analysis.ruleText, scores, evidence);
  if (prefix !== undefined && prefix.scope !== '') applyRules(domainRules, normaliseForRules(prefix.scope.replace(/[-_/]/gu, ' ')), scores, evidence, 1.5);
  pathDomainEvidence(analysis, scores, evidence);
  labelEvidence(analysis.labels, labelDomains, scores, evidence);
  const prior = typeDomainPrior[taskType];
  if (prior !== undefined) {
    scores.set(prior[0], (scores.get(prior[0]) ?? 0) + prior[1]);
    evidence.push({ source: 'default', text: `task type ${taskType}`, target: prior[0], weight: prior[1] });
  }
  if (classifier !== null && analysis.meaningful) classifierDomainEvidence(classifier, analysis, scores, evidence);
  // Domains with a positive score, best first (ties in `domains` order).
  const totals = new Array<number>(allDomains.length);
  const ranked: number[] = [];
  for (let index = 0; index < allDomains.length; index += 1) {
    const score = (totals[index] = scores.get(allDomains[index]!) ?? 0);
    if (score <= 0) continue;
    let at = ranked.length;
    while (at > 0 && totals[ranked[at - 1]!]! < score) at -= 1;
    ranked.splice(at, 0, index);
  }
  let value: Domain[];
  let confidence: number;
  if (ranked.length === 0) {
    value = ['backend'];
    confidence = 0.1;
    evidence.push({ source: 'default', text: 'no domain evidence', target: 'backend', weight: 0 });
  } else {
    const top = totals[ranked[0]!]!;
    value = [allDomains[ranked[0]!]!];
    for (let at = 1; at < ranked.length && value.length < 4; at += 1) {
      const score = totals[ranked[at]!]!;
      if (score >= 0.4 * top && score >= 1.2) value.push(allDomains[ranked[at]!]!);
    }
    const second = ranked.length > 1 ? totals[ranked[1]!]! : 0;
    confidence = Math.min(0.95, (top / (top + second + 1)) * Math.min(1, top / 2.5) + 0.1);
  }
  return {
    value,
    confidence,
    evidence: topEvidence(evidence).filter((item) => item.source === 'negated' || value.includes(item.target as Domain)),
    scores: domainRecord(totals.map(round)),
  };
}
