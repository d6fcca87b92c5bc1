import { describe, expect, it } from 'vitest';
import { InvalidLinearModelError, SoftmaxClassifier, selectTransferVocabulary, trainSoftmaxClassifier } from './softmax-classifier';
import { stem, taskTypeFeaturesOf, transferFeatures } from './transfer-features';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from './shipped-classifiers';

const texts: Array<[string, string, string]> = [
  ['fix crash on login', 'bugfix', 'a'], ['fix null pointer in parser', 'bugfix', 'b'], ['fixes broken link handling', 'bugfix', 'c'],
  ['add dark mode', 'feature', 'a'], ['add export to csv', 'feature', 'b'], ['adds search endpoint', 'feature', 'c'],
  ['update readme', 'docs', 'a'], ['update install guide in readme', 'docs', 'b'], ['readme: update api docs', 'docs', 'c'],
];
const examples = texts.map(([text, label, group]) => ({ features: transferFeatures(text, new Map()), label, group }));
const labels = ['bugfix', 'feature', 'docs'];

describe('transfer features', () => {
  it('stems word forms together and keeps short words', () => {
    expect(['fix', 'fixes', 'fixed', 'fixing'].map(stem)).toEqual(['fix', 'fix', 'fix', 'fix']);
    expect(['update', 'updated', 'updates', 'updating'].map(stem)).toEqual(['updat', 'updat', 'updat', 'updat']);
    expect(stem('mapped')).toBe('map');
    expect(stem('docs')).toBe('docs');
  });

  it('reads words, pairs, the opening verb, the length band and rule scores, and drops negated phrases', () => {
    const features = transferFeatures('Fixes the parser', new Map([['bugfix', 3]]));
    expect(features.names).toEqual(['w:fix', 'b:fix the', 'w:parser', 'b:the parser', 'f:fix', 'n:short', 'r:bugfix']);
    expect(features.values.at(-1)).toBe(1.5);
    expect(transferFeatures('refactor parser without tests', new Map()).names).not.toContain('w:test');
    expect(taskTypeFeaturesOf('add unit tests for the parser').names).toContain('r:test');
  });
});

describe('softmax classifier', () => {
  it('keeps only features seen in enough groups', () => {
    const vocabulary = selectTransferVocabulary(examples, 3, 1);
    expect(vocabulary).toContain('f:fix');
    expect(vocabulary).toContain('w:readm');
    expect(vocabulary).not.toContain('w:csv');
  });

  it('learns deterministically, explains, and round-trips through JSON', () => {
    const vocabulary = selectTransferVocabulary(examples, 2, 1);
    const model = trainSoftmaxClassifier(examples, labels, { vocabulary, epochs: 30, learningRate: 0.3, l2: 1e-3, seed: 3, trainedOn: 'test', pruneBelow: 0 });
    expect(trainSoftmaxClassifier(examples, labels, { vocabulary, epochs: 30, learningRate: 0.3, l2: 1e-3, seed: 3, trainedOn: 'test', pruneBelow: 0 })).toEqual(model);
    const classifier = new SoftmaxClassifier(JSON.parse(JSON.stringify(model)));
    const prediction = classifier.predict(transferFeatures('fixed crash in the scheduler', new Map()));
    expect(prediction.label).toBe('bugfix');
    expect(prediction.evidence[0]).toMatch(/fix/u);
    expect(Object.values(prediction.probabilities).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 10);
    expect(classifier.predict(transferFeatures('update the readme', new Map())).label).toBe('docs');
    // A higher temperature flattens the same prediction.
    const flatter = new SoftmaxClassifier(model, 3).predict(transferFeatures('fixed crash in the scheduler', new Map()));
    expect(flatter.label).toBe('bugfix');
    expect(flatter.probability).toBeLessThan(prediction.probability);
  });

  it('prunes features whose weights stay small, and marks labels without examples as unseen', () => {
    const vocabulary = selectTransferVocabulary(examples, 1, 1);
    const full = trainSoftmaxClassifier(examples, [...labels, 'security'], { vocabulary, epochs: 5, trainedOn: 'test', pruneBelow: 0 });
    const pruned = trainSoftmaxClassifier(examples, [...labels, 'security'], { vocabulary, epochs: 5, trainedOn: 'test', pruneBelow: 120 });
    expect(pruned.features.split('\n').length).toBeLessThan(full.features.split('\n').length);
    expect(new SoftmaxClassifier(full).unseenLabels).toEqual(new Set(['security']));
  });

  it('rejects a malformed model with a one-line typed error', () => {
    const vocabulary = selectTransferVocabulary(examples, 2, 1);
    const model = trainSoftmaxClassifier(examples, labels, { vocabulary, trainedOn: 'test', pruneBelow: 0 });
    expect(() => new SoftmaxClassifier({ ...model, bias: [0] })).toThrow(InvalidLinearModelError);
    expect(() => new SoftmaxClassifier({ ...model, weights: 'AAAA' })).toThrow(/weights for/u);
    expect(() => new SoftmaxClassifier({ ...model, format: 'other' } as never)).toThrow(/^invalid compact linear model/u);
  });

  it('ships small task-type and domain models', () => {
    const taskType = shippedTaskTypeClassifier();
    expect(taskType.labels).toContain('security');
    expect(taskType.unseenLabels.has('security')).toBe(true);
    expect(taskType.temperature).toBeGreaterThan(0.5);
    expect(taskType.predict(taskTypeFeaturesOf('update the installation guide')).label).toBe('docs');
    expect(shippedDomainClassifier().labels).toContain('database');
  });
});
