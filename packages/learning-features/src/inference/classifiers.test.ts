import { describe, expect, it } from 'vitest';
import { LinearTextClassifier, characterGrams, trainLinearTextClassifier } from './linear-text-classifier';
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
const texts = [
  ...['fix crash on login', 'fix null pointer in parser', 'fix broken link handling', 'fix race in scheduler'].map((text) => ({ text, label: 'bugfix' })),
  ...['add dark mode', 'add export to csv', 'add search endpoint', 'add login with google'].map((text) => ({ text, label: 'feature' })),
  ...['update readme', 'update install guide', 'update api docs', 'update changelog'].map((text) => ({ text, label: 'docs' })),
];

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

  it('naive Bayes honours example weights (weighted counts, one decimal)', () => {
    const weighted = trainNaiveBayes(
      [
        { tokens: ['update'], label: 'docs', weight: 3 },
        { tokens: ['update'], label: 'feature', weight: 0.25 },
      ],
      labels,
      { minimumCount: 1 },
    );
    expect(weighted.tokenCounts.update).toEqual([1, 0.3, 2, 3]);
    expect(weighted.documentCounts).toEqual([0, 0.3, 3]);
    expect(new NaiveBayesClassifier(weighted).predict(['update']).label).toBe('docs');
    expect(() => new NaiveBayesClassifier({ ...weighted, tokenCounts: { update: [0.5, 1] } })).toThrow(/label index/u);
  });

  it('character grams are lower-cased, padded, with digits folded', () => {
    expect(characterGrams('Fix v2', [3])).toEqual(['# fi', '#fix', '#ix ', '#x v', '# v0', '#v0 ']);
  });

  for (const trainer of ['logistic-regression', 'complement-naive-bayes', 'multinomial-naive-bayes'] as const) {
    it(`linear text classifier (${trainer}) learns from words and character grams, deterministically, and round-trips`, () => {
      const options = { trainer, minimumDocumentFrequency: 1, epochs: 30, seed: 5 };
      const model = trainLinearTextClassifier(texts, labels, options);
      expect(trainLinearTextClassifier(texts, labels, options)).toEqual(model);
      expect(Object.values(model.weights).every((pairs) => pairs.every((value) => Number.isInteger(value) && Math.abs(value) <= 127))).toBe(true);
      const classifier = new LinearTextClassifier(JSON.parse(JSON.stringify(model)));
      expect(classifier.predictText('fix crash in the scheduler').label).toBe('bugfix');
      expect(classifier.predictText('add csv export').label).toBe('feature');
      expect(classifier.predictText('update the guide').label).toBe('docs');
      // An unseen inflection still shares character grams with the training words.
      expect(classifier.predictText('fixing').label).toBe('bugfix');
      const prediction = classifier.predictText('fix login crash');
      expect(prediction.evidence[0]).toBe('fix');
      expect(Object.values(prediction.probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 10);
    });
  }

  it('linear text classifier keeps at most featuresPerClass weights per class', () => {
    const model = trainLinearTextClassifier(texts, labels, { minimumDocumentFrequency: 1, featuresPerClass: 5 });
    for (let label = 0; label < labels.length; label += 1) {
      const count = Object.values(model.weights).filter((pairs) => pairs.some((value, index) => index % 2 === 0 && value === label)).length;
      expect(count).toBeLessThanOrEqual(5);
    }
    expect(() => new LinearTextClassifier({ ...model, scale: -1 })).toThrow(/scale/u);
  });

  it('ships task-type and domain classifiers over our label sets', () => {
    expect(shippedTaskTypeClassifier().labels).toHaveLength(13);
    expect(shippedDomainClassifier().labels).toHaveLength(9);
    expect(shippedTaskTypeClassifier().predict(classifierFeatures('bump rollup from 2.35.0 to 2.35.1')).label).toBe('dependencies');
  });
});
