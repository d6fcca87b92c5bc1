import type { ActionSpace } from '@orchestra/learning-features';
import type { Prediction } from '@orchestra/learning-types';
import type { TrainerConfig } from '../config/trainer-config';
import type { ExperienceDataset } from '../offline/experience-dataset';
import { denseLayersForward } from '@orchestra/learning-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { MultilayerPerceptron } from '../networks/multilayer-perceptron';
import { SeededRandom } from '../networks/seeded-random';
import { brierScore, expectedCalibrationError, meanAbsoluteError } from './calibration';

/**
 * The three outputs of the prediction network and the function that turns each into its quantity:
 * `exp(output0)` = expected duration in ms, `expm1(output1)` = expected cost in USD (clamped at 0),
 * `sigmoid(output2)` = success probability. The target standardisation is folded into the last layer.
 */
export const predictionOutputs = [
  { name: 'durationMs', transform: 'exp' },
  { name: 'costUsd', transform: 'expm1' },
  { name: 'successProbability', transform: 'sigmoid' },
] as const;

/** Prediction heads in the neutral format, for the artifact writer and the policy runtime. */
export interface PredictionHeadsWeights {
  /** `stateSize + totalLogits`: the state features, then a one-hot of the action over the active heads. */
  inputSize: number;
  stateSize: number;
  /** `one-hot-active-heads`: 1 at `offsets[h] + index[h]` for every head h active for the action, 0 elsewhere. */
  actionEncoding: 'one-hot-active-heads';
  layers: DenseLayerWeights[];
  outputs: typeof predictionOutputs;
}

/** Validation metrics of the prediction heads against a per-task-type mean baseline fitted on the training split. */
export interface PredictionMetrics {
  validationSize: number;
  durationMaeMs: number;
  baselineDurationMaeMs: number;
  costMaeUsd: number;
  baselineCostMaeUsd: number;
  successBrier: number;
  baselineSuccessBrier: number;
  successExpectedCalibrationError: number;
  baselineSuccessExpectedCalibrationError: number;
  epochs: number;
}

/** What `trainPredictionHeads` returns. */
export interface PredictionHeadsResult {
  weights: PredictionHeadsWeights;
  metrics: PredictionMetrics;
}

/** Options of `trainPredictionHeads`. */
export interface TrainPredictionHeadsOptions {
  dataset: ExperienceDataset;
  actionSpace: ActionSpace;
  training: Int32Array;
  validation: Int32Array;
  config: TrainerConfig;
  onProgress?: (epoch: number, totalEpochs: number) => void;
}

/** Writes the prediction input of (state, action indices) into `out` at `offset`. */
export function encodePredictionInput(
  state: ArrayLike<number>,
  indices: ArrayLike<number>,
  active: ArrayLike<number | boolean>,
  actionSpace: Pick<ActionSpace, 'offsets' | 'totalLogits'>,
  out: Float32Array,
  offset = 0,
): void {
  const stateSize = state.length;
  for (let index = 0; index < stateSize; index++) out[offset + index] = state[index]!;
  out.fill(0, offset + stateSize, offset + stateSize + actionSpace.totalLogits);
  for (let head = 0; head < actionSpace.offsets.length; head++) {
    if (active[head]) out[offset + stateSize + actionSpace.offsets[head]! + indices[head]!] = 1;
  }
}

/**
 * Writes the prediction inputs of dataset rows `rows[start … start + count)` into `out`, one after another
 * (state + active-head one-hot each): the minibatch fill shared by the prediction heads and the reward model.
 */
export function encodeDatasetRows(
  dataset: Pick<ExperienceDataset, 'states' | 'actions' | 'active' | 'stateSize' | 'headCount'>,
  actionSpace: Pick<ActionSpace, 'offsets' | 'totalLogits'>,
  rows: ArrayLike<number>,
  start: number,
  count: number,
  out: Float32Array,
): void {
  const { stateSize, headCount } = dataset;
  const inputSize = stateSize + actionSpace.totalLogits;
  for (let index = 0; index < count; index++) {
    const row = rows[start + index]!;
    encodePredictionInput(
      dataset.states.subarray(row * stateSize, (row + 1) * stateSize),
      dataset.actions.subarray(row * headCount, (row + 1) * headCount),
      dataset.active.subarray(row * headCount, (row + 1) * headCount),
      actionSpace,
      out,
      index * inputSize,
    );
  }
}

/** Applies the prediction heads to one (state, action) in float64: the reference the policy runtime must match. */
export function predictOutcome(
  weights: PredictionHeadsWeights,
  state: ArrayLike<number>,
  indices: ArrayLike<number>,
  active: ArrayLike<number | boolean>,
  actionSpace: Pick<ActionSpace, 'offsets' | 'totalLogits'>,
): Prediction {
  const input = new Float32Array(weights.inputSize);
  encodePredictionInput(state, indices, active, actionSpace, input);
  const [logDuration, logCost, logit] = denseLayersForward(weights.layers, input) as unknown as [number, number, number];
  return {
    durationMs: Math.exp(logDuration),
    costUsd: Math.max(0, Math.expm1(logCost)),
    successProbability: 1 / (1 + Math.exp(-logit)),
  };
}

function meanAndDeviation(values: Float64Array): { mean: number; deviation: number } {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= Math.max(1, values.length);
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  return { mean, deviation: Math.sqrt(variance / Math.max(1, values.length)) || 1 };
}

/**
 * Trains a small network from state + action one-hot to (log duration, log1p cost, success logit) with squared
 * error on the standardised logs and cross-entropy on success; early stopping on the validation loss. Reports MAE
 * and calibration (Brier, ECE) on the validation split next to a per-task-type mean baseline.
 */
export function trainPredictionHeads(options: TrainPredictionHeadsOptions): PredictionHeadsResult {
  const { dataset, actionSpace, training, validation, config } = options;
  const { stateSize, totalLogits } = dataset;
  const inputSize = stateSize + totalLogits;
  const random = new SeededRandom(config.seed + 13);
  const network = new MultilayerPerceptron({
    inputSize,
    hiddenSizes: config.prediction.hiddenSizes,
    outputSize: 3,
    seed: random.fork(),
    backend: config.backend,
  });
  const logDuration = Float64Array.from(dataset.durationMs, (value) => Math.log(Math.max(1, value)));
  const logCost = Float64Array.from(dataset.costUsd, (value) => Math.log1p(value));
  const durationStats = meanAndDeviation(Float64Array.from(training, (row) => logDuration[row]!));
  const costStats = meanAndDeviation(Float64Array.from(training, (row) => logCost[row]!));
  const fill = (rows: ArrayLike<number>, start: number, count: number) => {
    encodeDatasetRows(dataset, actionSpace, rows, start, count, network.input(count));
  };
  const targetsOf = (row: number): [number, number, number] => [
    (logDuration[row]! - durationStats.mean) / durationStats.deviation,
    (logCost[row]! - costStats.mean) / costStats.deviation,
    dataset.success[row]!,
  ];
  const validationLoss = () => {
    let loss = 0;
    for (let start = 0; start < validation.length; start += 1024) {
      const count = Math.min(1024, validation.length - start);
      fill(validation, start, count);
      const output = network.forward(count);
      for (let index = 0; index < count; index++) {
        const [duration, cost, success] = targetsOf(validation[start + index]!);
        const logit = output[index * 3 + 2]!;
        loss += 0.5 * (output[index * 3]! - duration) ** 2 + 0.5 * (output[index * 3 + 1]! - cost) ** 2;
        loss += Math.max(logit, 0) - logit * success + Math.log1p(Math.exp(-Math.abs(logit)));
      }
    }
    return loss / Math.max(1, validation.length);
  };
  const batchSize = config.batchSize;
  const totalEpochs = config.offline.epochs;
  let best = { loss: Infinity, layers: network.getWeights(), epoch: 0 };
  let sinceBest = 0;
  let epochsRun = 0;
  for (let epoch = 1; epoch <= totalEpochs; epoch++) {
    epochsRun = epoch;
    const order = random.shuffle(Int32Array.from(training));
    for (let start = 0; start < order.length; start += batchSize) {
      const count = Math.min(batchSize, order.length - start);
      fill(order, start, count);
      const output = network.forward(count);
      const gradient = network.outputGradient(count);
      for (let index = 0; index < count; index++) {
        const [duration, cost, success] = targetsOf(order[start + index]!);
        gradient[index * 3] = (output[index * 3]! - duration) / count;
        gradient[index * 3 + 1] = (output[index * 3 + 1]! - cost) / count;
        gradient[index * 3 + 2] = (1 / (1 + Math.exp(-output[index * 3 + 2]!)) - success) / count;
      }
      network.backward(count);
      network.applyAdam(config.prediction.learningRate);
    }
    const loss = validationLoss();
    options.onProgress?.(epoch, totalEpochs);
    if (loss < best.loss) {
      best = { loss, layers: network.getWeights(), epoch };
      sinceBest = 0;
    } else if (++sinceBest >= config.offline.earlyStoppingPatience) {
      break;
    }
  }
  // Fold the target standardisation into the last layer, so outputs are log durationMs and log1p costUsd.
  const layers = best.layers;
  const last = layers[layers.length - 1]!;
  for (const [column, stats] of [
    [0, durationStats],
    [1, costStats],
  ] as const) {
    for (let row = 0; row < last.inputSize; row++) last.kernel[row * 3 + column]! *= stats.deviation;
    last.bias[column] = last.bias[column]! * stats.deviation + stats.mean;
  }
  const weights: PredictionHeadsWeights = { inputSize, stateSize, actionEncoding: 'one-hot-active-heads', layers, outputs: predictionOutputs };
  return { weights, metrics: { ...validationMetrics(weights, options), epochs: epochsRun } };
}

function validationMetrics(weights: PredictionHeadsWeights, options: TrainPredictionHeadsOptions): Omit<PredictionMetrics, 'epochs'> {
  const { dataset, actionSpace, training, validation } = options;
  const { stateSize, headCount } = dataset;
  // Per-task-type means on the training split (global mean for a type never seen there).
  const sums = new Map<string, { count: number; duration: number; cost: number; success: number }>();
  const global = { count: 0, duration: 0, cost: 0, success: 0 };
  for (const row of training) {
    const entry = sums.get(dataset.taskTypes[row]!) ?? { count: 0, duration: 0, cost: 0, success: 0 };
    for (const target of [entry, global]) {
      target.count += 1;
      target.duration += dataset.durationMs[row]!;
      target.cost += dataset.costUsd[row]!;
      target.success += dataset.success[row]!;
    }
    sums.set(dataset.taskTypes[row]!, entry);
  }
  const size = validation.length;
  const predicted = { duration: new Float64Array(size), cost: new Float64Array(size), success: new Float64Array(size) };
  const baseline = { duration: new Float64Array(size), cost: new Float64Array(size), success: new Float64Array(size) };
  const actual = { duration: new Float64Array(size), cost: new Float64Array(size), success: new Float64Array(size) };
  validation.forEach((row, index) => {
    const prediction = predictOutcome(
      weights,
      dataset.states.subarray(row * stateSize, (row + 1) * stateSize),
      dataset.actions.subarray(row * headCount, (row + 1) * headCount),
      dataset.active.subarray(row * headCount, (row + 1) * headCount),
      actionSpace,
    );
    predicted.duration[index] = prediction.durationMs;
    predicted.cost[index] = prediction.costUsd;
    predicted.success[index] = prediction.successProbability;
    const entry = sums.get(dataset.taskTypes[row]!) ?? global;
    const count = Math.max(1, entry.count);
    baseline.duration[index] = entry.duration / count;
    baseline.cost[index] = entry.cost / count;
    baseline.success[index] = entry.success / count;
    actual.duration[index] = dataset.durationMs[row]!;
    actual.cost[index] = dataset.costUsd[row]!;
    actual.success[index] = dataset.success[row]!;
  });
  return {
    validationSize: size,
    durationMaeMs: meanAbsoluteError(predicted.duration, actual.duration),
    baselineDurationMaeMs: meanAbsoluteError(baseline.duration, actual.duration),
    costMaeUsd: meanAbsoluteError(predicted.cost, actual.cost),
    baselineCostMaeUsd: meanAbsoluteError(baseline.cost, actual.cost),
    successBrier: brierScore(predicted.success, actual.success),
    baselineSuccessBrier: brierScore(baseline.success, actual.success),
    successExpectedCalibrationError: expectedCalibrationError(predicted.success, actual.success),
    baselineSuccessExpectedCalibrationError: expectedCalibrationError(baseline.success, actual.success),
  };
}
