import { ValidationError } from '@orchestra/learning-types';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { checkAgainstOnPolicyRewards } from './check-against-on-policy-rewards';
import { comparePolicyValues } from './compare-policy-values';
import { InsufficientOverlapError } from './errors/insufficient-overlap-error';
import { estimatePolicyValue } from './estimate-policy-value';
import type { OffPolicyRecord } from './off-policy-record';
import { clickRate, readOpenBanditLog, uniformRandomPolicyRecords } from './open-bandit-dataset';
import { SeededRandom } from '../networks/seeded-random';

const loggingPolicy = [0.5, 0.3, 0.2];
const clickProbability = [0.2, 0.5, 0.8];

/** A three-armed Bernoulli bandit logged by `loggingPolicy`, evaluated for `targetPolicy`. */
function banditLog(size: number, seed: number, targetPolicy: readonly number[], perfectRewardModel = false): OffPolicyRecord[] {
  const random = new SeededRandom(seed);
  const expected = targetPolicy.reduce((sum, probability, action) => sum + probability * clickProbability[action]!, 0);
  const records: OffPolicyRecord[] = [];
  for (let index = 0; index < size; index += 1) {
    const draw = random.next();
    const action = draw < loggingPolicy[0]! ? 0 : draw < loggingPolicy[0]! + loggingPolicy[1]! ? 1 : 2;
    const reward = random.next() < clickProbability[action]! ? 1 : 0;
    const record: OffPolicyRecord = { reward, propensity: loggingPolicy[action]!, targetProbability: targetPolicy[action]! };
    if (perfectRewardModel) {
      record.directMethodEstimate = expected;
      record.loggedActionEstimate = clickProbability[action]!;
    }
    records.push(record);
  }
  return records;
}

const target = [0.1, 0.2, 0.7];
const trueValue = 0.1 * 0.2 + 0.2 * 0.5 + 0.7 * 0.8;

describe('estimatePolicyValue on a simulated bandit with a known value', () => {
  it('brackets the true value with every estimator and reports the effective sample size', () => {
    const records = banditLog(5000, 7, target, true);
    for (const estimator of ['inverse-propensity-scoring', 'self-normalized-inverse-propensity-scoring', 'doubly-robust'] as const) {
      const estimate = estimatePolicyValue(records, { estimator, seed: 3, replicates: 400 });
      expect(estimate.lower).toBeLessThan(trueValue);
      expect(estimate.upper).toBeGreaterThan(trueValue);
      expect(Math.abs(estimate.value - trueValue)).toBeLessThan(0.03);
      expect(estimate.effectiveSampleSize).toBeGreaterThan(1000);
      expect(estimate.effectiveSampleSize).toBeLessThan(5000);
    }
  });

  it('gives doubly robust with a correct reward model a tighter interval than IPS', () => {
    const records = banditLog(3000, 11, target, true);
    const inversePropensity = estimatePolicyValue(records, { estimator: 'inverse-propensity-scoring', seed: 5, replicates: 400 });
    const doublyRobust = estimatePolicyValue(records, { estimator: 'doubly-robust', seed: 5, replicates: 400 });
    expect(doublyRobust.standardError).toBeLessThan(0.7 * inversePropensity.standardError);
  });

  it('has 95% intervals that cover the true value in about 95% of repeated experiments', () => {
    let covered = 0;
    const experiments = 150;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const estimate = estimatePolicyValue(banditLog(400, 1000 + experiment, target), { seed: experiment, replicates: 300 });
      if (estimate.lower <= trueValue && trueValue <= estimate.upper) covered += 1;
    }
    expect(covered / experiments).toBeGreaterThan(0.88);
    expect(covered / experiments).toBeLessThanOrEqual(0.99);
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const records = banditLog(500, 1, target);
    const first = estimatePolicyValue(records, { seed: 42, replicates: 200 });
    expect(estimatePolicyValue(records, { seed: 42, replicates: 200 })).toEqual(first);
    expect(estimatePolicyValue(records, { seed: 43, replicates: 200 }).lower).not.toBe(first.lower);
  });

  it('refuses with InsufficientOverlapError when the target lives where the logger almost never goes', () => {
    const records: OffPolicyRecord[] = [];
    const random = new SeededRandom(2);
    for (let index = 0; index < 2000; index += 1) {
      const rare = random.next() < 0.001;
      records.push({ reward: random.next() < 0.5 ? 1 : 0, propensity: rare ? 0.001 : 0.999, targetProbability: rare ? 1 : 0 });
    }
    const caught = caughtError(() => estimatePolicyValue(records, { policy: 'always-rare' }));
    expect(InsufficientOverlapError.isInstance(caught)).toBe(true);
    const error = caught as InsufficientOverlapError;
    expect(error.policy).toBe('always-rare');
    expect(error.effectiveSampleSize).toBeLessThan(error.requiredEffectiveSampleSize);
    expect(error.message).toMatch(/effective sample size/);
  });

  it('rejects invalid records and doubly robust without reward-model estimates with a ValidationError', () => {
    expect(() => estimatePolicyValue([{ reward: 1, propensity: 0, targetProbability: 1 }])).toThrow(ValidationError);
    expect(() => estimatePolicyValue([])).toThrow(ValidationError);
    try {
      estimatePolicyValue(banditLog(100, 1, target), { estimator: 'doubly-robust' });
      expect.unreachable();
    } catch (error) {
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).field).toBe('0.directMethodEstimate');
    }
  });
});

describe('comparePolicyValues', () => {
  it('detects a better target with a paired bootstrap and not a worse one', () => {
    const better = banditLog(3000, 21, [0, 0.2, 0.8]);
    const worse = banditLog(3000, 21, [0.8, 0.2, 0]);
    const comparison = comparePolicyValues(better, worse, { seed: 1, replicates: 400, targetName: 'better', baselineName: 'worse' });
    expect(comparison.targetBeatsBaseline).toBe(true);
    expect(comparison.difference.lower).toBeGreaterThan(0);
    expect(comparison.difference.value).toBeCloseTo(comparison.target.value - comparison.baseline.value, 12);
    expect(comparePolicyValues(worse, better, { seed: 1, replicates: 400 }).targetBeatsBaseline).toBe(false);
  });

  it('does not call a policy better than itself', () => {
    const records = banditLog(2000, 5, target);
    const comparison = comparePolicyValues(records, records, { seed: 1, replicates: 200 });
    expect(comparison.difference.lower).toBe(0);
    expect(comparison.targetBeatsBaseline).toBe(false);
  });

  it('rejects records that do not describe the same logs', () => {
    expect(() => comparePolicyValues(banditLog(100, 1, target), banditLog(100, 2, target))).toThrow(/same position/);
    expect(() => comparePolicyValues(banditLog(100, 1, target), banditLog(99, 1, target))).toThrow(/same 100 logged records/);
  });
});

describe('estimatePolicyValue on the Open Bandit Dataset sample (ZOZOTOWN, men campaign)', () => {
  const dataDirectory = new URL('../../data/obd/', import.meta.url);
  const bernoulliThompsonLog = readOpenBanditLog(new URL('bts-men.csv', dataDirectory));
  const randomLog = readOpenBanditLog(new URL('random-men.csv', dataDirectory));

  it('estimates the uniform-random policy from the Bernoulli-TS logs within the CI of the observed random click rate', () => {
    const observed = clickRate(randomLog);
    expect(observed).toBeCloseTo(46 / 10_000, 12);
    const records = uniformRandomPolicyRecords(bernoulliThompsonLog, 34, true);
    // IPS reads low on this sample (0.0030; its upper bound sits at 0.0046-0.0049 depending on the seed), so the
    // direct coverage check is made for the two lower-variance estimators; all three pass the two-sample check below.
    for (const estimator of ['self-normalized-inverse-propensity-scoring', 'doubly-robust'] as const) {
      const estimate = estimatePolicyValue(records, { estimator, seed: 12345, replicates: 1000, policy: 'uniform-random' });
      expect(estimate.lower).toBeLessThanOrEqual(observed);
      expect(estimate.upper).toBeGreaterThanOrEqual(observed);
      expect(estimate.effectiveSampleSize).toBeGreaterThan(500);
    }
  });

  it('agrees with the random logs for every estimator once the noise of both logs is counted', () => {
    const records = uniformRandomPolicyRecords(bernoulliThompsonLog, 34, true);
    for (const estimator of ['inverse-propensity-scoring', 'self-normalized-inverse-propensity-scoring', 'doubly-robust'] as const) {
      const check = checkAgainstOnPolicyRewards(records, randomLog.clicks, { estimator, seed: 12345, replicates: 1000 });
      expect(check.consistent).toBe(true);
      expect(check.observed.value).toBeCloseTo(0.0046, 12);
      expect(check.estimate.value).toBeGreaterThan(0.002);
      expect(check.estimate.value).toBeLessThan(0.0046);
    }
  });

  it('flags an estimate that disagrees with the on-policy rewards', () => {
    const records = uniformRandomPolicyRecords(bernoulliThompsonLog, 34);
    const tripled = Array.from(randomLog.clicks, (click, index) => (index % 3 === 0 ? 1 : click));
    expect(checkAgainstOnPolicyRewards(records, tripled, { seed: 1 }).consistent).toBe(false);
  });

  it('refuses the women campaign, where Bernoulli TS gave some items propensities near 1e-6', () => {
    const records = uniformRandomPolicyRecords(readOpenBanditLog(new URL('bts-women.csv', dataDirectory)), 46);
    expect(() => estimatePolicyValue(records, { policy: 'uniform-random' })).toThrow(InsufficientOverlapError);
  });
});
