import { describe, expect, it } from 'vitest';
import { bernoulliThompsonActionDistribution, readBernoulliThompsonPriors } from './bernoulli-thompson-sampling';
import { estimatePolicyValue } from './estimate-policy-value';
import { openBanditRecords, readOpenBanditLog } from './open-bandit-dataset';

const dataDirectory = new URL('../../data/obd/', import.meta.url);

describe('bernoulliThompsonActionDistribution', () => {
  const priors = readBernoulliThompsonPriors(new URL('prior_bts.yaml', dataDirectory));

  it('reads the obp priors of the three campaigns', () => {
    expect(Object.keys(priors).sort()).toEqual(['all', 'men', 'women']);
    expect(priors.men!.alpha).toHaveLength(34);
    expect(priors.women!.beta).toHaveLength(46);
    expect(priors.all!.alpha[0]).toBe(47);
  });

  it('gives a distribution over items in each slot, and each item at most once per slate', () => {
    const distribution = bernoulliThompsonActionDistribution(priors.men!, 5000, 1);
    for (let slot = 0; slot < 3; slot += 1) {
      const total = distribution.probability.subarray(slot * 34, (slot + 1) * 34).reduce((sum, value) => sum + value, 0);
      expect(total).toBeCloseTo(1, 10);
    }
    for (let item = 0; item < 34; item += 1) {
      expect(distribution.probability[item]! + distribution.probability[34 + item]! + distribution.probability[68 + item]!).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('matches the obp-style sanity value of the dataset copy: IPS of the BTS replay on the random men logs ≈ 0.00453, mean weight ≈ 0.985', () => {
    // SOURCE.md of the dataset copy: obp-style computation with numpy, 200,000 simulations: IPW 0.00453, mean weight 0.985.
    const distribution = bernoulliThompsonActionDistribution(priors.men!, 20_000, 7);
    const records = openBanditRecords(readOpenBanditLog(new URL('random-men.csv', dataDirectory)), distribution);
    const estimate = estimatePolicyValue(records, { estimator: 'inverse-propensity-scoring', replicates: 200 });
    expect(estimate.value).toBeGreaterThan(0.0043);
    expect(estimate.value).toBeLessThan(0.0048);
    expect(estimate.meanWeight).toBeCloseTo(0.985, 2);
  });
});
