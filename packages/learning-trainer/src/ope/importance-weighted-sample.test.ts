import { describe, expect, it } from 'vitest';
import { effectiveSampleSize, ImportanceWeightedSample } from './importance-weighted-sample';

const records = [
  { reward: 1, propensity: 0.5, targetProbability: 1, directMethodEstimate: 0.6, loggedActionEstimate: 0.8 },
  { reward: 0, propensity: 0.25, targetProbability: 0.5, directMethodEstimate: 0.4, loggedActionEstimate: 0.2 },
  { reward: 2, propensity: 1, targetProbability: 0, directMethodEstimate: 0.5, loggedActionEstimate: 1.5 },
];

describe('ImportanceWeightedSample', () => {
  it('computes IPS, self-normalised IPS and doubly robust exactly as their formulas', () => {
    const sample = ImportanceWeightedSample.fromRecords(records);
    // weights 2, 2, 0
    expect(sample.estimate('inverse-propensity-scoring')).toBeCloseTo((2 * 1 + 2 * 0 + 0 * 2) / 3, 12);
    expect(sample.estimate('self-normalized-inverse-propensity-scoring')).toBeCloseTo(2 / 4, 12);
    const doublyRobust = (0.6 + 2 * (1 - 0.8) + (0.4 + 2 * (0 - 0.2)) + 0.5) / 3;
    expect(sample.estimate('doubly-robust')).toBeCloseTo(doublyRobust, 12);
    expect(sample.meanWeight()).toBeCloseTo(4 / 3, 12);
    expect(sample.maximumWeight()).toBe(2);
    expect(sample.effectiveSampleSize()).toBeCloseTo(16 / 8, 12);
  });

  it('estimates on a bootstrap resample given as record positions with repeats', () => {
    const sample = ImportanceWeightedSample.fromRecords(records);
    expect(sample.estimate('inverse-propensity-scoring', Int32Array.from([0, 0, 2]))).toBeCloseTo(4 / 3, 12);
    expect(sample.estimate('self-normalized-inverse-propensity-scoring', Int32Array.from([2, 2]))).toBeNaN();
  });

  it('clips weights for the estimate but keeps raw weights for the overlap diagnostics', () => {
    const sample = ImportanceWeightedSample.fromRecords([{ reward: 1, propensity: 0.01, targetProbability: 1 }, { reward: 0, propensity: 1, targetProbability: 1 }], 10);
    expect(sample.estimate('inverse-propensity-scoring')).toBeCloseTo(10 / 2, 12);
    expect(sample.maximumWeight()).toBeCloseTo(100, 9);
  });

  it('reports doubly robust as unavailable when a record lacks reward-model estimates', () => {
    const sample = ImportanceWeightedSample.fromRecords([records[0]!, { reward: 1, propensity: 1, targetProbability: 1 }]);
    expect(sample.supportsDoublyRobust).toBe(false);
    expect(sample.estimate('doubly-robust')).toBeNaN();
  });

  it('gives an effective sample size equal to the count for equal weights and 0 for all-zero weights', () => {
    expect(effectiveSampleSize([3, 3, 3, 3])).toBe(4);
    expect(effectiveSampleSize([0, 0])).toBe(0);
    expect(effectiveSampleSize([1, 0, 0, 0])).toBe(1);
  });
});
