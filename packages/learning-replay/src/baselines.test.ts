import { describe, expect, it } from 'vitest';
import { bestStaticLadder, computeBaselines, summarizeLadders, trainedFallbackOrder } from './baselines';
import { fallbackOrder } from './ladder';
import { referenceCostOf, replayReward } from './replay-reward';
import { handTable } from './test-support';

describe('baselines on a hand-checked table (cost weight 0.5, cost unit $8: reward = success − cost / 16)', () => {
  const table = handTable();
  const tasks = [0, 1, 2, 3];
  const scoring = { costWeight: 0.5, referenceCostUsd: referenceCostOf(table, tasks) };

  it('takes the most expensive model\'s mean cost as the cost unit', () => {
    expect(scoring.referenceCostUsd).toBe(8);
    expect(replayReward(1, 4, scoring)).toBe(0.75);
  });

  it('chooses on train and measures on test: cheapest a, strongest c, best single c, best ladder a → b → c', () => {
    const baselines = computeBaselines(table, tasks, tasks, scoring, 3);
    expect(baselines.chosen).toEqual({ cheapest: 'a', strongest: 'c', bestSingle: 'c', bestLadder: ['a', 'b', 'c'], bestFallbackLadder: ['a', 'b', 'c'] });
    // a: successes 1, 0, 0, ½ at $1 each.
    expect(baselines.cheapest).toEqual({ successRate: 0.375, costPerTask: 1, meanReward: 0.3125 });
    expect(baselines.strongest).toEqual({ successRate: 1, costPerTask: 8, meanReward: 0.5 });
    expect(baselines.bestSingle).toEqual(baselines.strongest);
    // a → b → c costs 1, 3, 11, 1 + ½·8 = 5 and always ends in a success.
    expect(baselines.bestLadder).toEqual({ successRate: 1, costPerTask: 5, meanReward: 0.6875 });
    // The oracle: a on t0 ($1), b on t1 ($2), c on t2 ($8), a → c on t3 ($5).
    expect(baselines.oracle).toEqual({ successRate: 1, costPerTask: 4, meanReward: 0.75 });
    // Random: a uniform model among those the task has (t3 has two).
    expect(baselines.random.successRate).toBeCloseTo((2 / 3 + 2 / 3 + 1 / 3 + 0.75) / 4, 12);
    expect(baselines.random.costPerTask).toBeCloseTo((11 + 4.5) / 4, 12);
  });

  it('restricts the fallback ladder to what the action space expresses', () => {
    // Order c, b, a: its rotations are c → b → a, b → a → c ($3, 2, 11, 5: reward 0.671875) and a → c → b (0.625);
    // a → b → c is none of them.
    const reordered = computeBaselines(table, tasks, tasks, scoring, 3, [2, 1, 0]);
    expect(reordered.chosen.bestLadder).toEqual(['a', 'b', 'c']);
    expect(reordered.chosen.bestFallbackLadder).toEqual(['b', 'a', 'c']);
    expect(reordered.bestFallbackLadder.meanReward).toBe(0.671875);
    expect(summarizeLadders(table, tasks, () => [0, 2, 1], scoring).meanReward).toBe(0.625);
  });

  it('never chooses a model the train tasks lack', () => {
    const baselines = computeBaselines(table, [3], [0, 1, 2, 3], scoring, 2);
    expect(Object.values(baselines.chosen).flat()).not.toContain('b');
  });

  it('chooses a fallback order on train that expresses the best static ladder: a → c, then b (ladders of 2)', () => {
    // Ladders of 2: a → c costs 1, 9, 9, 5 and always succeeds (reward 0.625); a → b succeeds 2.5 times in 4 at $2 (0.5).
    expect(bestStaticLadder(table, tasks, scoring, 2)).toEqual([0, 2]);
    expect(trainedFallbackOrder(table, tasks, scoring, 2)).toEqual([0, 2, 1]);
    expect(fallbackOrder(table.catalog)).toEqual([0, 1, 2]);
    const product = computeBaselines(table, tasks, tasks, scoring, 2);
    expect(product.chosen.bestFallbackLadder).not.toEqual(product.chosen.bestLadder);
    const trained = computeBaselines(table, tasks, tasks, scoring, 2, trainedFallbackOrder(table, tasks, scoring, 2));
    expect(trained.chosen.bestFallbackLadder).toEqual(['a', 'c']);
    expect(trained.bestFallbackLadder).toEqual(trained.bestLadder);
    expect(trained.bestLadder.meanReward).toBe(0.625);
  });

  it('keeps the product order for single-model routing and puts models the train tasks lack last', () => {
    expect(trainedFallbackOrder(table, tasks, scoring, 1)).toEqual(fallbackOrder(table.catalog));
    // Train = t3 only: b was not run there; the best ladder (a → c: a solves t3 half the time) comes first.
    const onT3 = { ...scoring, referenceCostUsd: referenceCostOf(table, [3]) };
    expect(bestStaticLadder(table, [3], onT3, 3)).toEqual([0, 2]);
    expect(trainedFallbackOrder(table, [3], onT3, 3)).toEqual([0, 2, 1]);
  });
});
