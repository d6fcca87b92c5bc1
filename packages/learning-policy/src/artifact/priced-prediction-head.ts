import { actionHeads, type ActionSpace } from '@orchestra/learning-features';
import type { DenseLayer } from './model-artifact';
import type { PredictionOutput } from './model-manifest';

/**
 * A prediction head over state and action whose predictions follow the catalog's prices, for tests, benchmarks and
 * examples of the cost–quality knob: one linear layer in which every active model head adds its model's price
 * (input + output per 1k tokens) × 20k tokens to the cost (USD, identity) and a quality bonus to the success logit
 * (by catalog position: 0, 0.3, 0.8, 1.0, then 1.0; sigmoid); independent of the state. Write it as the manifest's
 * `prediction` with `input: 'state_and_action'`.
 */
export function createPricedPredictionHead(space: ActionSpace, stateSize: number): { layers: DenseLayer[]; outputs: PredictionOutput[] } {
  const inputSize = stateSize + space.totalLogits;
  const kernel = new Float32Array(inputSize * 3);
  const bias = Float32Array.from([Math.log(600_000), 0, -0.5]);
  const quality = [0, 0.3, 0.8, 1];
  for (const head of [actionHeads.model_architect, actionHeads.model_executor, actionHeads.model_auditor, actionHeads.model_consultant]) {
    space.catalog.models.forEach((model, choice) => {
      const row = stateSize + space.offsets[head]! + choice;
      kernel[row * 3 + 1] = (model.inputPricePer1kTokens + model.outputPricePer1kTokens) * 20;
      kernel[row * 3 + 2] = quality[Math.min(choice, quality.length - 1)]!;
    });
  }
  return {
    layers: [{ inputSize, outputSize: 3, activation: 'linear', kernel, bias }],
    outputs: [
      { name: 'durationMs', transform: 'exp', scale: 1 },
      { name: 'costUsd', transform: 'identity', scale: 1 },
      { name: 'successProbability', transform: 'sigmoid', scale: 1 },
    ],
  };
}
