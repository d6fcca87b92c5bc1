import { describe, expect, it } from 'vitest';
import { choiceToAction } from './action-grid';
import { defaultWorld } from './default-world';
import { drawHeldOutTasks, evaluateOnTasks } from './held-out';

// A direct session of the world's first model: 1× timeout, fallback retries, balanced safety.
const direct = choiceToAction(defaultWorld, { team: 0, executor: 0, architect: 0, auditor: 0, consultant: 0, approach: 0, parallelism: 1, timeout: 2, retry: 2, safety: 1 });

describe('held-out evaluation', () => {
  it('draws the same tasks for the same seed and other tasks for another', () => {
    expect(drawHeldOutTasks(defaultWorld, 5, 3)).toEqual(drawHeldOutTasks(defaultWorld, 5, 3));
    expect(drawHeldOutTasks(defaultWorld, 5, 4)).not.toEqual(drawHeldOutTasks(defaultWorld, 5, 3));
  });

  it('plays every task with its own seed, so the same policy scores the same, and summarises the runs', () => {
    const tasks = drawHeldOutTasks(defaultWorld, 60, 1);
    const first = evaluateOnTasks(defaultWorld, tasks, () => direct);
    expect(evaluateOnTasks(defaultWorld, tasks, () => direct)).toEqual(first);
    expect(first.rewards).toHaveLength(60);
    const mean = first.rewards.reduce((sum, value) => sum + value, 0) / 60;
    expect(first.metrics.meanReward).toBeCloseTo(mean, 9);
    expect(first.metrics.meanRewardCI[0]).toBeLessThan(mean);
    expect(first.metrics.successRate).toBeGreaterThan(0);
    expect(first.metrics.successRate).toBeLessThanOrEqual(1);
    expect(first.metrics.costPerSession).toBeGreaterThan(0);
  });

  it('scores with the reward function it is given', () => {
    const tasks = drawHeldOutTasks(defaultWorld, 10, 2);
    const run = evaluateOnTasks(defaultWorld, tasks, () => direct, { reward: (outcome) => (outcome.success ? 1 : 0) });
    expect(run.metrics.meanReward).toBeCloseTo(run.metrics.successRate, 12);
  });
});
