import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { taskTypes } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { buildExperienceDataset, splitByTime } from './experience-dataset';
import { LinearCriticScorer, fitLinearCritic, meanGainDeviation } from './linear-critic';
import { normaliseTotal } from './q-distillation';
import { bestApproachOf, ruleIndices, syntheticExperiences } from './test-support/synthetic-experiences';

const actionSpace = new ActionSpace();
const headCount = actionSpace.heads.length;
const sigmoid = (value: number) => 1 / (1 + Math.exp(-value));

function datasetOf(count: number, seed: number) {
  const dataset = buildExperienceDataset(syntheticExperiences({ count, seed, exploration: 0.3, stateSize: 15 }), { actionSpace });
  const rewardScale = normaliseTotal(1, dataset.rewardNormalisation) - normaliseTotal(0, dataset.rewardNormalisation);
  return { dataset, split: splitByTime(dataset, 0.2), rewardScale };
}

/** The synthetic world's true success probability of a row's state and action (see `syntheticExperiences`). */
function trueSuccess(state: ArrayLike<number>, indices: ArrayLike<number>): number {
  let taskType = 0;
  for (let type = 0; type < taskTypes.length; type++) if (state[type] === 1) taskType = type;
  const approach = indices[actionHeads.approach]!;
  const parallelism = indices[actionHeads.parallelism]! + 1;
  return sigmoid(-0.8 + (approach === bestApproachOf(taskType) ? 2.2 : 0) + 3 * state[13]! - 0.2 * (parallelism - 1));
}

describe('the logistic success model of the linear critic', () => {
  it('predicts success probabilities in (0, 1) closer to the truth than the linear model, on held-out rows and changed actions', () => {
    const { dataset, split, rewardScale } = datasetOf(2500, 31);
    const linear = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { rewardScale });
    const logistic = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { rewardScale, successModel: {} });
    expect(linear.success).toBeUndefined();
    expect(logistic.success).toBeDefined();
    expect(logistic.success!.iterations).toBeLessThan(25);
    // The outcome term is ±100 of success: its slope on success is 200 reward points in training units.
    expect(logistic.success!.rewardPerSuccess).toBeCloseTo(200 * rewardScale, 6);
    const scorers = { linear: new LinearCriticScorer(linear, actionSpace), logistic: new LinearCriticScorer(logistic, actionSpace) };
    const errors = { linear: 0, logistic: 0 };
    let outside = { linear: 0, logistic: 0 };
    let count = 0;
    const candidate = new Int32Array(headCount);
    for (const row of split.validation) {
      const state = dataset.states.subarray(row * dataset.stateSize, (row + 1) * dataset.stateSize);
      for (const approach of [0, 1, 2, 3]) {
        candidate.set(dataset.actions.subarray(row * headCount, (row + 1) * headCount));
        candidate[actionHeads.approach] = approach;
        const truth = trueSuccess(state, candidate);
        for (const name of ['linear', 'logistic'] as const) {
          scorers[name].setState(state);
          const predicted = scorers[name].predict(candidate, 'success');
          errors[name] += (predicted - truth) ** 2;
          if (predicted < 0 || predicted > 1) outside = { ...outside, [name]: outside[name] + 1 };
        }
        count += 1;
      }
    }
    expect(outside.logistic).toBe(0);
    expect(errors.logistic / count).toBeLessThan(errors.linear / count);
    // The whole critic still predicts held-out rewards better than their mean.
    expect(logistic.validationMeanSquaredError).toBeLessThan(logistic.baselineMeanSquaredError);
  });

  it("gives the best approach a positive gain that grows surer with more logs, and adds its uncertainty to the gate's", () => {
    const small = datasetOf(600, 32);
    const large = datasetOf(2500, 32);
    const fit = (entry: ReturnType<typeof datasetOf>) =>
      fitLinearCritic(entry.dataset, actionSpace, entry.split.training, entry.split.validation, { rewardScale: entry.rewardScale, successModel: {} });
    const critics = [fit(small), fit(large)] as const;
    const state = new Float32Array(15);
    state[2] = 1;
    const from = Int32Array.from(ruleIndices);
    from[actionHeads.approach] = (bestApproachOf(2) + 1) % 4;
    const to = Int32Array.from(from);
    to[actionHeads.approach] = bestApproachOf(2);
    const gains = critics.map((critic) => {
      const scorer = new LinearCriticScorer(critic, actionSpace);
      scorer.setState(state);
      return scorer.gain(from, to);
    });
    expect(gains[1]!.mean).toBeGreaterThan(0);
    expect(gains[1]!.mean - gains[1]!.deviation).toBeGreaterThan(0);
    // More logs, surer gain (the deviation is the logit effect's, scaled by the secant slope of σ between the two).
    expect(gains[1]!.mean / gains[1]!.deviation).toBeGreaterThan(gains[0]!.mean / gains[0]!.deviation);
    // The gate's deviation of a mean gain includes the success part: it is positive and no larger than one state's.
    const deviation = meanGainDeviation(critics[1]!, actionSpace, [{ state, from, to }]);
    expect(deviation).toBeGreaterThan(0);
    expect(deviation).toBeCloseTo(gains[1]!.deviation, 6);
  });

  it('falls back to one linear model when the rows hold only successes', () => {
    const { dataset, split, rewardScale } = datasetOf(400, 33);
    dataset.success.fill(1);
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { rewardScale, successModel: {} });
    expect(critic.success).toBeUndefined();
  });
});
