import { describe, expect, it } from 'vitest';
import { CartPole } from '../envs/cart-pole';
import { SeededRandom } from '../networks/seeded-random';
import { trainA2c } from './a2c-trainer';
import { evaluatePolicy } from './evaluate-policy';

const createEnvironment = () => new CartPole();

function randomPolicyMeanReturn(episodes: number, seed: number): number {
  const random = new SeededRandom(seed);
  const environment = new CartPole();
  let total = 0;
  for (let episode = 0; episode < episodes; episode++) {
    environment.reset(seed + episode);
    for (;;) {
      const step = environment.step(random.integer(2));
      total += step.reward;
      if (step.terminated || step.truncated) break;
    }
  }
  return total / episodes;
}

describe('trainA2c on CartPole-v1', () => {
  it('clearly beats a random policy after a short run with the default [256, 128] networks', () => {
    const randomReturn = randomPolicyMeanReturn(200, 3);
    expect(randomReturn).toBeGreaterThan(15);
    expect(randomReturn).toBeLessThan(30);
    const progress: number[] = [];
    const result = trainA2c({
      createEnvironment,
      updates: 250,
      config: { seed: 0 },
      onProgress: (report) => progress.push(report.update),
    });
    expect(progress).toHaveLength(250);
    expect(result.environmentSteps).toBe(250 * 128);
    const evaluation = evaluatePolicy(result.model, { createEnvironment, episodes: 20, seed: 500 });
    expect(evaluation.meanReturn).toBeGreaterThan(3 * randomReturn);
  });

  it('is reproducible: the same seed gives the same weights', () => {
    const first = trainA2c({ createEnvironment, updates: 5, config: { seed: 4, a2c: { environments: 4, nSteps: 5 } } });
    const second = trainA2c({ createEnvironment, updates: 5, config: { seed: 4, a2c: { environments: 4, nSteps: 5 } } });
    const third = trainA2c({ createEnvironment, updates: 5, config: { seed: 5, a2c: { environments: 4, nSteps: 5 } } });
    expect(first.model.getActorWeights()).toEqual(second.model.getActorWeights());
    expect(first.model.getCriticWeights()).toEqual(second.model.getCriticWeights());
    expect(first.model.getActorWeights()[2]!.kernel).not.toEqual(third.model.getActorWeights()[2]!.kernel);
  });
});
