import { ActionSpace } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { trainOffline } from '../offline/train-offline';
import { syntheticExperiences } from '../offline/test-support/synthetic-experiences';
import { brierScore, expectedCalibrationError, meanAbsoluteError } from './calibration';
import { predictOutcome } from './prediction-heads';

describe('prediction heads', () => {
  it('predict duration, cost and success better than the per-task-type mean on the validation split', async () => {
    const actionSpace = new ActionSpace();
    const experiences = syntheticExperiences({ count: 2500, seed: 9, exploration: 0.8 });
    const result = await trainOffline({
      experiences,
      actionSpace,
      config: { seed: 1, actor: { hiddenSizes: [32] }, critic: { hiddenSizes: [32] }, offline: { epochs: 15 } },
      validate: false,
    });
    const predictions = result.predictions!;
    const { metrics, weights } = predictions;
    expect(metrics.validationSize).toBe(500);
    expect(metrics.successBrier).toBeLessThan(metrics.baselineSuccessBrier);
    expect(metrics.durationMaeMs).toBeLessThan(metrics.baselineDurationMaeMs);
    expect(metrics.costMaeUsd).toBeLessThan(metrics.baselineCostMaeUsd);
    expect(metrics.successExpectedCalibrationError).toBeLessThan(0.1);
    expect(weights.inputSize).toBe(result.stateSize + actionSpace.totalLogits);
    expect(weights.layers.at(-1)!.outputSize).toBe(3);
    const last = experiences.at(-1)!;
    const indices = actionSpace.encode(last.action);
    const prediction = predictOutcome(weights, last.state.features, indices, actionSpace.activeHeads(indices), actionSpace);
    expect(prediction.durationMs).toBeGreaterThan(60_000);
    expect(prediction.durationMs).toBeLessThan(6_000_000);
    expect(prediction.successProbability).toBeGreaterThan(0);
    expect(prediction.successProbability).toBeLessThan(1);
  });
});

describe('calibration metrics', () => {
  it('computes MAE, Brier and expected calibration error by hand-checked examples', () => {
    expect(meanAbsoluteError([1, 2, 3], [2, 2, 5])).toBe(1);
    expect(brierScore([0.5, 1, 0], [1, 1, 0])).toBeCloseTo(0.25 / 3, 12);
    // Bin [0.2, 0.3): predicted 0.25, observed 0.5 -> |0.25| × 2/4; bin [0.9, 1): predicted 0.9, observed 1 -> 0.1 × 2/4.
    expect(expectedCalibrationError([0.25, 0.25, 0.9, 0.9], [1, 0, 1, 1])).toBeCloseTo(0.125 + 0.05, 12);
  });
});
