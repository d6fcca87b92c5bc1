import { describe, expect, it } from 'vitest';
import { loadLabelledCommits } from '../evaluation/commit-dataset';
import { withoutNegatedPhrases, taskTypeRuleScores } from './rule-engine';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
import { transferFeatureIndexOf, transferScoresOf } from './transfer-feature-index';
import { stem, subjectStems, subjectWords, transferFeatures } from './transfer-features';
import { wordTokens } from './tokenize';

const subjects = [
  ...loadLabelledCommits().filter((_, index) => index % 8 === 0).map((row) => row.subject),
  'Corregir error de autenticación sin romper la API', 'Añadir soporte para exportar más rápido', 'NO TESTS for the parser',
  'refactor without behaviour change, no new tests', 'fix ſin handling', 'defineModel should not crash', 'v1.2.3 → v2.0.0',
  'the the the fix fix fix', '', '   ', '🚀🚀', 'x'.repeat(300),
];

describe('subjectStems', () => {
  it('equals stemming wordTokens of the text without its negated phrases', () => {
    for (const subject of subjects) expect(subjectStems(subject), subject).toEqual(wordTokens(withoutNegatedPhrases(subject)).map(stem));
  });
});

describe('TransferFeatureIndex', () => {
  it('predicts exactly what the classifier predicts from transferFeatures, for both shipped models', () => {
    const taskType = shippedTaskTypeClassifier();
    const domain = shippedDomainClassifier();
    for (const subject of subjects) {
      const ruleScores = taskTypeRuleScores(subject);
      const stems = subjectWords(subject);
      const expected = taskType.predict(transferFeatures(subject, ruleScores));
      expect(transferFeatureIndexOf(taskType).predict(stems, ruleScores), subject).toEqual(expected);
      const scores = transferFeatureIndexOf(taskType).score(stems, ruleScores);
      expect({ ...scores }, subject).toEqual(transferScoresOf(taskType.labels, expected));
      expect(transferFeatureIndexOf(domain).predict(stems), subject).toEqual(domain.predict(transferFeatures(subject, new Map())));
    }
  });

  it('adds a repeated word or pair once, as transferFeatures does', () => {
    const classifier = shippedTaskTypeClassifier();
    const once = transferFeatureIndexOf(classifier).predict(subjectWords('fix the crash'), new Map());
    const repeated = transferFeatureIndexOf(classifier).predict(subjectWords('fix the crash fix the crash'), new Map());
    expect(repeated.knownFeatures).toBeLessThanOrEqual(once.knownFeatures + 2);
    expect(repeated).toEqual(classifier.predict(transferFeatures('fix the crash fix the crash', new Map())));
  });
});

describe('inferTaskContext with any FeatureClassifier', () => {
  it('gives the same inference through feature names as through the compiled index', async () => {
    const { inferTaskContext } = await import('./infer-task-context');
    const byName = (classifier: ReturnType<typeof shippedTaskTypeClassifier>) => ({
      labels: classifier.labels,
      unseenLabels: classifier.unseenLabels,
      temperature: classifier.temperature,
      predict: (features: Parameters<typeof classifier.predict>[0]) => classifier.predict(features),
    });
    const options = { taskTypeClassifier: byName(shippedTaskTypeClassifier()), domainClassifier: byName(shippedDomainClassifier()) };
    const inputs = [
      ...subjects.slice(0, 600).map((description, index) => (index % 3 === 0 ? `fix(runtime-core): ${description}` : description)),
      { description: 'feat(auth)!: add OAuth login without breaking sessions', files: ['src/auth/oauth.ts', 'docs/auth.md'], labels: ['security'] },
    ];
    for (const input of inputs) expect(inferTaskContext(input, options), JSON.stringify(input)).toEqual(inferTaskContext(input));
  });
});
