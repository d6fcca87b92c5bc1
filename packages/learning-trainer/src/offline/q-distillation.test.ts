import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { bestApproachOf, bestApproachShare, ruleIndices, syntheticExperiences } from './test-support/synthetic-experiences';
import { trainOffline } from './train-offline';
import { parseTrainerConfig } from '../config/trainer-config';
import { buildExperienceDataset, splitByTime } from './experience-dataset';
import { improveActions, trainRewardModel } from './q-distillation';

const actionSpace = new ActionSpace();
const small = { actor: { hiddenSizes: [64, 32] }, critic: { hiddenSizes: [64, 32] }, batchSize: 64 };

describe('trainOffline with q-distillation', () => {
  it('improves on the logging rule under single-head-scale exploration, where the rule is right for few task types', async () => {
    // Logging close to the demo's: the rule most of the time, each head explored with probability 0.3.
    const experiences = syntheticExperiences({ count: 3000, seed: 11, exploration: 0.3, stateSize: 15 });
    const result = await trainOffline({
      experiences,
      actionSpace,
      config: { seed: 4, ...small, offline: { epochs: 15, objective: 'q-distillation', rewardModelHiddenSizes: [64, 32], rewardModelPessimism: 0.5, improvementMargin: 0.01 } },
      validate: false,
      predictions: false,
    });
    const ruleShare = Array.from({ length: 13 }, (_, type) => (bestApproachOf(type) === ruleIndices[actionHeads.approach] ? 1 : 0)).reduce<number>((sum, hit) => sum + hit, 0) / 13;
    expect(ruleShare).toBeLessThan(0.25);
    expect(result.qDistillation!.rewardModelValidationMeanSquaredError).toBeLessThan(result.qDistillation!.baselineValidationMeanSquaredError);
    expect(result.qDistillation!.changedShare).toBeGreaterThan(0.2);
    expect(result.qDistillation!.meanPredictedGain).toBeGreaterThan(0);
    expect(result.epochs.every((epoch) => epoch.validationTargetLogLikelihood !== undefined)).toBe(true);
    // The logging rule (sequential) is right for 3 of 13 task types; the distilled greedy policy for more than twice as many.
    expect(bestApproachShare(result)).toBeGreaterThan(2 * ruleShare);
  });

  it('improves actions within the support: valid under the masks, at most `improvementRounds` heads from the logged action', () => {
    const dataset = buildExperienceDataset(syntheticExperiences({ count: 600, seed: 12, exploration: 0.3, stateSize: 15 }), { actionSpace });
    const split = splitByTime(dataset, 0.2);
    const config = parseTrainerConfig({ seed: 5, batchSize: 64, offline: { rewardModelHiddenSizes: [32], rewardModelEpochs: 20, improvementRounds: 2 } });
    const rewardModel = trainRewardModel({ dataset, actionSpace, training: split.training, validation: split.validation, config });
    const improved = improveActions({ dataset, actionSpace, rewardModel, rows: split.training, config });
    const headCount = actionSpace.heads.length;
    let changedRows = 0;
    for (const row of split.training) {
      const indices = improved.actions.subarray(row * headCount, (row + 1) * headCount);
      expect(actionSpace.isValid(indices)).toBe(true);
      const logged = dataset.actions.subarray(row * headCount, (row + 1) * headCount);
      const active = actionSpace.activeHeads(indices);
      let changedHeads = 0;
      // Count decisions, not indices: a team change switches model heads on (holding the executor's model), and an
      // approach change may force parallelism back to 1.
      const forcedParallelism = indices[actionHeads.approach] !== logged[actionHeads.approach] && indices[actionHeads.parallelism] === 0;
      for (let head = 0; head < headCount; head++) {
        if (head === actionHeads.parallelism && forcedParallelism) continue;
        if (active[head] && actionSpace.isHeadActive(head, logged) && indices[head] !== logged[head]) changedHeads += 1;
      }
      expect(changedHeads).toBeLessThanOrEqual(2);
      if (changedHeads > 0) changedRows += 1;
      for (let head = 0; head < headCount; head++) expect(improved.active[row * headCount + head]).toBe(active[head] ? 1 : 0);
    }
    expect(changedRows / split.training.length).toBeCloseTo(improved.changedShare, 1);
  });
});
