import { describe, expect, it } from 'vitest';
import { LogisticRegressionClassifier, trainLogisticRegression } from './logistic-regression';
import { NaiveBayesClassifier, trainNaiveBayes } from './naive-bayes';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';
import { classifierFeatures, wordTokens } from './tokenize';

const documents = [
  ...['fix crash on login', 'fix null pointer in parser', 'fix broken link handling', 'fix race in scheduler'].map((text) => ({ text, label: 'bugfix' })),
  ...['add dark mode', 'add export to csv', 'add search endpoint', 'add login with google'].map((text) => ({ text, label: 'feature' })),
  ...['update readme', 'update install guide', 'update api docs', 'update changelog'].map((text) => ({ text, label: 'docs' })),
].map(({ text, label }) => ({ tokens: classifierFeatures(text), label }));
const labels = ['bugfix', 'feature', 'docs'];

describe('token classifiers', () => {
  it('tokenises identifiers, versions and accents', () => {
    expect(wordTokens('Bump vite from 5.0.1 to v6.2.0 in useTemplateRef')).toEqual(['bump', 'vite', 'from', '<version>', 'to', '<version>', 'in', 'usetemplateref', 'use', 'template', 'ref']);
    expect(wordTokens('Añadir autenticación')).toEqual(['añadir', 'autenticación']);
    expect(classifierFeatures('fix the parser')).toEqual(['fix', 'fix the', 'parser', 'the parser', '^fix']);
  });

  it('naive Bayes learns, explains and round-trips through JSON', () => {
    const model = trainNaiveBayes(documents, labels, { minimumCount: 1 });
    const classifier = new NaiveBayesClassifier(JSON.parse(JSON.stringify(model)));
    const prediction = classifier.predict(classifierFeatures('fix crash in scheduler'));
    expect(prediction.label).toBe('bugfix');
    expect(prediction.evidence).toContain('fix');
    expect(Object.values(prediction.probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 10);
    expect(classifier.predict(['unknown-token']).knownTokens).toBe(0);
    expect(() => new NaiveBayesClassifier({ ...model, documentCounts: [1] })).toThrow(/documentCounts/u);
  });

  it('logistic regression learns deterministically for a seed', () => {
    const first = trainLogisticRegression(documents, labels, { minimumCount: 1, seed: 3, epochs: 30 });
    expect(trainLogisticRegression(documents, labels, { minimumCount: 1, seed: 3, epochs: 30 })).toEqual(first);
    const classifier = new LogisticRegressionClassifier(JSON.parse(JSON.stringify(first)));
    expect(classifier.predict(classifierFeatures('add csv export')).label).toBe('feature');
    expect(classifier.predict(classifierFeatures('update the guide')).label).toBe('docs');
    expect(classifier.predict(classifierFeatures('fix login crash')).label).toBe('bugfix');
  });

  it('ships task-type and domain classifiers over our label sets', () => {
    expect(shippedTaskTypeClassifier().labels).toHaveLength(13);
    expect(shippedDomainClassifier().labels).toHaveLength(9);
    expect(shippedTaskTypeClassifier().predict(classifierFeatures('bump rollup from 2.35.0 to 2.35.1')).label).toBe('dependencies');
  });
});
