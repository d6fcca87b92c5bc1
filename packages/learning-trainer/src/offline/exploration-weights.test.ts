import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { RulesPolicy } from '@orchestra/learning-policy';
import { describe, expect, it } from 'vitest';
import { buildExperienceDataset, splitByTime } from './experience-dataset';
import { explorationWeightsOf } from './exploration-weights';
import { fitLinearCritic } from './linear-critic';
import { bestApproachOf, ruleIndices, syntheticExperiences } from './test-support/synthetic-experiences';

const actionSpace = new ActionSpace();
const approachLabels = actionSpace.heads[actionHeads.approach]!.labels;

/** The rule's action on every row (dataset layout): what the rules' exploration perturbs. */
function ruleBase(size: number): Int32Array {
  const base = new Int32Array(size * ruleIndices.length);
  for (let row = 0; row < size; row++) base.set(ruleIndices, row * ruleIndices.length);
  return base;
}

function fitted(count: number, seed: number) {
  const dataset = buildExperienceDataset(syntheticExperiences({ count, seed, exploration: 0.3, stateSize: 15 }), { actionSpace });
  const split = splitByTime(dataset, 0.2);
  return { dataset, split, critic: fitLinearCritic(dataset, actionSpace, split.training, split.validation) };
}

/** The training rows whose task type (one-hot in the first 13 features) is `type`. */
function rowsOfType(dataset: ReturnType<typeof fitted>['dataset'], rows: Int32Array, type: number): Int32Array {
  return rows.filter((row) => dataset.states[row * dataset.stateSize + type] === 1);
}

describe('explorationWeightsOf', () => {
  it('weighs the choice that beats the rule most, the ones the critic cannot tell apart near ½, all within [floor, 1]', () => {
    const { dataset, split, critic } = fitted(2500, 31);
    for (const type of [0, 2, 3]) {
      const best = bestApproachOf(type);
      expect(best).not.toBe(ruleIndices[actionHeads.approach]);
      const weights = explorationWeightsOf(critic, dataset, actionSpace, rowsOfType(dataset, split.training, type), { base: ruleBase(dataset.size) });
      const approach = weights.approach!;
      // The rule's own approach is never an alternative of itself.
      expect(Object.keys(approach)).not.toContain(approachLabels[ruleIndices[actionHeads.approach]!]);
      expect(approach[approachLabels[best]!]).toBeGreaterThan(0.6);
      for (const [label, weight] of Object.entries(approach)) {
        if (label !== approachLabels[best]) expect(weight, `${label} for type ${type}`).toBeLessThan(approach[approachLabels[best]!]!);
      }
      for (const byChoice of Object.values(weights)) for (const weight of Object.values(byChoice)) expect(weight).toBeGreaterThanOrEqual(0.05);
    }
  });

  it('is nearly uniform before there is evidence, and the rules accept what it returns', () => {
    const { dataset, split, critic } = fitted(60, 32);
    const weights = explorationWeightsOf(critic, dataset, actionSpace, split.training, { maxRows: 20 });
    const all = Object.values(weights).flatMap((byChoice) => Object.values(byChoice));
    expect(all.length).toBeGreaterThan(10);
    const mean = all.reduce((sum, weight) => sum + weight, 0) / all.length;
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(0.7);
    const rules = new RulesPolicy({ config: { epsilon: 0.3 } });
    rules.setExplorationWeights(weights);
    expect(rules.explorationWeights).not.toBeNull();
  });

  it('keeps every weight at or above the floor it is given', () => {
    const { dataset, split, critic } = fitted(2500, 33);
    const weights = explorationWeightsOf(critic, dataset, actionSpace, split.training, { floor: 0.2, maxRows: 200 });
    const all = Object.values(weights).flatMap((byChoice) => Object.values(byChoice));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(0.2);
    expect(Math.max(...all)).toBeLessThanOrEqual(1);
  });
});
