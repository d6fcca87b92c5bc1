/*
 * Longer than 400 lines: the network critic of `q-distillation` (`rewardModelStructure: 'joint'`) — its output heads,
 * training, batched Q evaluation and improvement step — and the action-target helpers the linear critic shares; the
 * network path is kept whole so its measured history (trainer README) stays readable in one place.
 */
import { actionHeads, type ActionSpace } from '@orchestra/learning-features';
import type { TrainerConfig } from '../config/trainer-config';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { MultilayerPerceptron } from '../networks/multilayer-perceptron';
import { SeededRandom } from '../networks/seeded-random';
import { encodeDatasetRows, encodePredictionInput } from '../prediction/prediction-heads';
import type { ExperienceDataset, RewardNormalisation } from './experience-dataset';

/**
 * How a reward model's outputs become Q(s, a) in normalised reward units.
 * - `total`: one output, regressed on the normalised reward.
 * - `decomposed` (the outcome critic): output 0 is the success logit (cross-entropy on `outcome.success`), outputs
 *   1..C each predict one reward component (standardised, squared error). Q is the exact reward of the expected
 *   outcome: failure + (success − failure)·p(success) + Σ_c (mean_c + scale_c·output_c), normalised like the
 *   training targets. The expectation of a sum is the sum of expectations, so this is the expected reward itself,
 *   with each component learned from its own, much less noisy signal (cost and time terms are nearly deterministic
 *   given the action; the ±100 outcome term is a Bernoulli).
 */
export type RewardModelHead =
  | { kind: 'total'; outputSize: 1 }
  | {
      kind: 'decomposed';
      outputSize: number;
      /** Reward of the outcome component on success and on failure (raw units). */
      successValue: number;
      failureValue: number;
      /** Dataset component columns predicted by outputs 1.., with their training means and scales (raw units). */
      columns: number[];
      means: number[];
      scales: number[];
      /** Raw total reward → training target units (the dataset's reward normalisation). */
      normalisation: RewardNormalisation;
    };

/** A reward model Q(s, a) on `encodePredictionInput` (state, then a one-hot of the action over its active heads). */
export interface RewardModel {
  network: MultilayerPerceptron;
  inputSize: number;
  head: RewardModelHead;
  /** Validation mean squared error of the kept weights (of Q against the normalised reward), and of predicting the training mean. */
  validationMeanSquaredError: number;
  baselineMeanSquaredError: number;
  epochs: number;
}

/** Actions in the dataset's layout (`size × headCount` indices, active heads and `size × totalLogits` masks). */
export interface ActionTargets {
  actions: Int32Array;
  active: Uint8Array;
  masks: Uint8Array;
}

/** What the improvement step changed. */
export interface ImprovementSummary {
  /** Share of rows whose improved action differs from the logged one. */
  changedShare: number;
  /** Mean Q(s, a*) − Q(s, a_logged) over the rows. */
  meanGain: number;
  /** Decomposed reward models: the ensemble's mean success probability of the logged and of the improved actions. */
  predictedSuccessLogged?: number;
  predictedSuccessImproved?: number;
}

const chunkRows = 2048;

/** Maps a raw total reward to the dataset's training units (linear; no range check). */
export function normaliseTotal(total: number, normalisation: RewardNormalisation): number {
  if (normalisation.kind === 'bounds') {
    return normalisation.max === normalisation.min ? 0 : (2 * (total - normalisation.min)) / (normalisation.max - normalisation.min) - 1;
  }
  return (total - normalisation.mean) / normalisation.standardDeviation;
}

/** Inverse of `normaliseTotal`: training units → raw reward. */
export function denormaliseTotal(value: number, normalisation: RewardNormalisation): number {
  if (normalisation.kind === 'bounds') return normalisation.min + ((value + 1) / 2) * (normalisation.max - normalisation.min);
  return normalisation.mean + value * normalisation.standardDeviation;
}

/** Q (normalised reward) of row `index` of a reward model's `forward` output. */
export function rewardModelValue(head: RewardModelHead, output: ArrayLike<number>, index: number): number {
  if (head.kind === 'total') return output[index]!;
  const base = index * head.outputSize;
  const probability = 1 / (1 + Math.exp(-output[base]!));
  let total = head.failureValue + (head.successValue - head.failureValue) * probability;
  for (let column = 0; column < head.columns.length; column++) total += head.means[column]! + head.scales[column]! * output[base + 1 + column]!;
  return normaliseTotal(total, head.normalisation);
}

/** The outcome critic's head for `dataset`, fitted on `training` rows (see `RewardModelHead`). */
export function decomposedHead(dataset: ExperienceDataset, training: Int32Array): RewardModelHead {
  const width = dataset.componentNames.length;
  const outcomeColumn = dataset.componentNames.indexOf('outcome');
  let successSum = 0;
  let successCount = 0;
  let failureSum = 0;
  let failureCount = 0;
  if (outcomeColumn >= 0) {
    for (const row of training) {
      const value = dataset.components[row * width + outcomeColumn]!;
      if (dataset.success[row] === 1) {
        successSum += value;
        successCount += 1;
      } else {
        failureSum += value;
        failureCount += 1;
      }
    }
  }
  // With only one class seen, the other's value mirrors it (the default reward is ±100).
  const successValue = outcomeColumn < 0 ? 0 : successCount > 0 ? successSum / successCount : Math.abs(failureSum / Math.max(1, failureCount));
  const failureValue = outcomeColumn < 0 ? 0 : failureCount > 0 ? failureSum / failureCount : -Math.abs(successValue);
  const columns: number[] = [];
  const means: number[] = [];
  const scales: number[] = [];
  for (let column = 0; column < width; column++) {
    if (column === outcomeColumn) continue;
    let mean = 0;
    for (const row of training) mean += dataset.components[row * width + column]!;
    mean /= Math.max(1, training.length);
    let variance = 0;
    for (const row of training) variance += (dataset.components[row * width + column]! - mean) ** 2;
    const deviation = Math.sqrt(variance / Math.max(1, training.length));
    columns.push(column);
    means.push(mean);
    scales.push(deviation > 1e-9 ? deviation : 1);
  }
  return { kind: 'decomposed', outputSize: 1 + columns.length, successValue, failureValue, columns, means, scales, normalisation: dataset.rewardNormalisation };
}

/**
 * Fits Q(s, a) with minibatch Adam and early stopping on the validation split (the most recent rows); the best
 * epoch's weights are kept. `rewardModelTarget: 'decomposed'` (default) fits the outcome critic (success
 * probability + one output per reward component, see `RewardModelHead`); `'total'` regresses the normalised reward.
 */
export function trainRewardModel(options: {
  dataset: ExperienceDataset;
  actionSpace: ActionSpace;
  training: Int32Array;
  validation: Int32Array;
  config: TrainerConfig;
  /** Which member of an ensemble: its seed (members differ in initialisation and minibatch order). */
  member?: number;
}): RewardModel {
  const { dataset, actionSpace, validation, config } = options;
  const member = options.member ?? 0;
  const { stateSize, totalLogits } = dataset;
  const inputSize = stateSize + totalLogits;
  const random = new SeededRandom(config.seed + 17 + 7919 * member);
  // Ensemble members after the first fit a bootstrap resample of the rows: their disagreement is then the
  // epistemic uncertainty the improvement step's pessimism needs (members fitted to the same rows agree off the data).
  const training =
    member > 0 && config.offline.rewardModelBootstrap
      ? Int32Array.from({ length: options.training.length }, () => options.training[random.integer(options.training.length)]!)
      : options.training;
  const head: RewardModelHead = config.offline.rewardModelTarget === 'total' ? { kind: 'total', outputSize: 1 } : decomposedHead(dataset, training);
  const outputSize = head.outputSize;
  const network = new MultilayerPerceptron({
    inputSize,
    hiddenSizes: config.offline.rewardModelHiddenSizes,
    outputSize,
    seed: random.fork(),
    backend: config.backend,
  });
  // Without a random prior the action one-hot starts with zero weights: an action changes Q only as far as the data
  // moves those weights. With it (default), each member keeps its own random weights where the data says little, so
  // the members disagree on rarely logged choices and the pessimistic score (mean − κ·spread) avoids them.
  const initial = network.getWeights();
  if (!config.offline.rewardModelRandomPrior) initial[0]!.kernel.fill(0, stateSize * initial[0]!.outputSize);
  if (head.kind === 'decomposed') {
    // The success logit starts at the training success rate's logit, the standardised components at their means.
    let successes = 0;
    for (const row of training) successes += dataset.success[row]!;
    const rate = Math.min(0.99, Math.max(0.01, successes / Math.max(1, training.length)));
    initial[initial.length - 1]!.bias[0] = Math.log(rate / (1 - rate));
  }
  network.setWeights(initial);
  const width = dataset.componentNames.length;
  const fill = (rows: ArrayLike<number>, start: number, count: number) => {
    encodeDatasetRows(dataset, actionSpace, rows, start, count, network.input(count));
  };
  const meanSquaredError = (rows: Int32Array) => {
    let total = 0;
    for (let start = 0; start < rows.length; start += chunkRows) {
      const count = Math.min(chunkRows, rows.length - start);
      fill(rows, start, count);
      const output = network.forward(count);
      for (let index = 0; index < count; index++) total += (rewardModelValue(head, output, index) - dataset.normalisedRewards[rows[start + index]!]!) ** 2;
    }
    return total / Math.max(1, rows.length);
  };
  let trainingMean = 0;
  for (const row of training) trainingMean += dataset.normalisedRewards[row]!;
  trainingMean /= Math.max(1, training.length);
  let baselineMeanSquaredError = 0;
  for (const row of validation) baselineMeanSquaredError += (dataset.normalisedRewards[row]! - trainingMean) ** 2;
  baselineMeanSquaredError /= Math.max(1, validation.length);

  const batchSize = config.batchSize;
  const offline = config.offline;
  let best: { loss: number; weights: DenseLayerWeights[] } = { loss: Infinity, weights: network.getWeights() };
  let sinceBest = 0;
  let epochs = 0;
  for (let epoch = 1; epoch <= offline.rewardModelEpochs; epoch++) {
    epochs = epoch;
    const order = random.shuffle(Int32Array.from(training));
    for (let start = 0; start < order.length; start += batchSize) {
      const count = Math.min(batchSize, order.length - start);
      fill(order, start, count);
      const output = network.forward(count);
      const gradient = network.outputGradient(count);
      for (let index = 0; index < count; index++) {
        const row = order[start + index]!;
        if (head.kind === 'total') {
          gradient[index] = (2 * (output[index]! - dataset.normalisedRewards[row]!)) / count;
          continue;
        }
        const base = index * outputSize;
        // Cross-entropy of the success logit, squared error of each standardised component.
        gradient[base] = (1 / (1 + Math.exp(-output[base]!)) - dataset.success[row]!) / count;
        for (let column = 0; column < head.columns.length; column++) {
          const target = (dataset.components[row * width + head.columns[column]!]! - head.means[column]!) / head.scales[column]!;
          gradient[base + 1 + column] = (2 * (output[base + 1 + column]! - target)) / (count * head.columns.length);
        }
      }
      network.backward(count);
      network.applyAdam(offline.rewardModelLearningRate);
    }
    const loss = meanSquaredError(validation);
    if (loss < best.loss) {
      best = { loss, weights: network.getWeights() };
      sinceBest = 0;
    } else if (++sinceBest >= offline.earlyStoppingPatience) {
      break;
    }
  }
  network.setWeights(best.weights);
  return { network, inputSize, head, validationMeanSquaredError: best.loss, baselineMeanSquaredError, epochs };
}

/**
 * Makes `indices` follow the action-space conventions after one head changed: parallelism falls back to 1 when the
 * approach does not allow more, and the model heads of roles outside the team hold the executor's model.
 */
export function canonicaliseIndices(actionSpace: ActionSpace, indices: Int32Array, mask: Uint8Array): void {
  actionSpace.mask(actionHeads.parallelism, indices, mask);
  if (mask[indices[actionHeads.parallelism]!] !== 1) indices[actionHeads.parallelism] = 0;
  const executorModel = indices[actionHeads.model_executor]!;
  for (let head = 0; head < indices.length; head++) {
    if (!actionSpace.isHeadActive(head, indices)) indices[head] = executorModel;
  }
}

/**
 * Calls `visit(head, choice, candidate)` for every single-head move of `base`: each active head, each choice its mask
 * allows other than the base's, `candidate` the base with that head moved (canonicalised; overwritten per call).
 * `mask`, `scratch` and `candidate` are the caller's buffers (largest head size, largest head size, head count).
 */
export function forEachSingleHeadMove(
  actionSpace: ActionSpace,
  base: Int32Array,
  buffers: { mask: Uint8Array; scratch: Uint8Array; candidate: Int32Array },
  visit: (head: number, choice: number, candidate: Int32Array) => void,
): void {
  const { mask, scratch, candidate } = buffers;
  for (let head = 0; head < base.length; head++) {
    if (!actionSpace.isHeadActive(head, base)) continue;
    actionSpace.mask(head, base, mask);
    for (let choice = 0; choice < actionSpace.heads[head]!.size; choice++) {
      if (choice === base[head] || mask[choice] !== 1) continue;
      candidate.set(base);
      candidate[head] = choice;
      canonicaliseIndices(actionSpace, candidate, scratch);
      visit(head, choice, candidate);
    }
  }
}

/**
 * Policy improvement within the data's support: for every row, starting from the logged action, tries every valid
 * alternative of one active head at a time and moves to the best one when Q gains more than `improvementMargin`;
 * at most `improvementRounds` rounds (so the result stays a few heads away from what was logged). Returns the
 * improved actions with their active heads and masks.
 */
export function improveActions(options: {
  dataset: ExperienceDataset;
  actionSpace: ActionSpace;
  /** One reward model or an ensemble, scored by mean − `rewardModelPessimism` × standard deviation. */
  rewardModel: RewardModel | readonly RewardModel[];
  rows: Int32Array;
  config: TrainerConfig;
}): ActionTargets & ImprovementSummary {
  const { dataset, actionSpace, rows, config } = options;
  const models = Array.isArray(options.rewardModel) ? (options.rewardModel as readonly RewardModel[]) : [options.rewardModel as RewardModel];
  const { stateSize, headCount, totalLogits } = dataset;
  const inputSize = models[0]!.inputSize;
  const { improvementRounds, improvementMargin, rewardModelPessimism } = config.offline;
  const actions = Int32Array.from(dataset.actions);
  const maximumHeadSize = Math.max(...actionSpace.heads.map((head) => head.size));
  const moveBuffers = { mask: new Uint8Array(maximumHeadSize), scratch: new Uint8Array(maximumHeadSize), candidate: new Int32Array(headCount) };
  const activeHeads = new Array<boolean>(headCount);
  // Candidates of one row: the current action, then every valid single-head change.
  const maximumCandidates = 1 + actionSpace.heads.reduce((sum, head) => sum + head.size, 0);
  const rowsPerChunk = Math.max(1, Math.floor(chunkRows / maximumCandidates));
  const candidates = new Int32Array(rowsPerChunk * maximumCandidates * headCount);
  const candidateCounts = new Int32Array(rowsPerChunk);
  const encoded = new Float32Array(rowsPerChunk * maximumCandidates * inputSize);
  const sums = new Float64Array(rowsPerChunk * maximumCandidates);
  const squares = new Float64Array(rowsPerChunk * maximumCandidates);
  const values = new Float64Array(rowsPerChunk * maximumCandidates);
  let gainTotal = 0;
  for (let start = 0; start < rows.length; start += rowsPerChunk) {
    const count = Math.min(rowsPerChunk, rows.length - start);
    for (let round = 0; round < improvementRounds; round++) {
      let total = 0;
      for (let index = 0; index < count; index++) {
        const row = rows[start + index]!;
        const current = actions.subarray(row * headCount, (row + 1) * headCount);
        let produced = 0;
        const emit = (indices: Int32Array) => {
          candidates.set(indices, (index * maximumCandidates + produced) * headCount);
          produced += 1;
        };
        emit(current);
        forEachSingleHeadMove(actionSpace, current, moveBuffers, (_head, _choice, moved) => emit(moved));
        candidateCounts[index] = produced;
        total += produced;
      }
      const input = encoded;
      let position = 0;
      for (let index = 0; index < count; index++) {
        const row = rows[start + index]!;
        const state = dataset.states.subarray(row * stateSize, (row + 1) * stateSize);
        for (let number = 0; number < candidateCounts[index]!; number++) {
          const indices = candidates.subarray((index * maximumCandidates + number) * headCount, (index * maximumCandidates + number + 1) * headCount);
          actionSpace.activeHeads(indices, activeHeads);
          encodePredictionInput(state, indices, activeHeads, actionSpace, input, position * inputSize);
          position += 1;
        }
      }
      sums.fill(0, 0, total);
      squares.fill(0, 0, total);
      for (const model of models) {
        model.network.input(total).set(encoded.subarray(0, total * inputSize));
        const output = model.network.forward(total);
        for (let number = 0; number < total; number++) {
          const value = rewardModelValue(model.head, output, number);
          sums[number]! += value;
          squares[number]! += value * value;
        }
      }
      for (let number = 0; number < total; number++) {
        const mean = sums[number]! / models.length;
        const deviation = Math.sqrt(Math.max(0, squares[number]! / models.length - mean * mean));
        values[number] = mean - rewardModelPessimism * deviation;
      }
      position = 0;
      let moved = false;
      for (let index = 0; index < count; index++) {
        const row = rows[start + index]!;
        const produced = candidateCounts[index]!;
        const baseline = values[position]!;
        let bestNumber = 0;
        let bestValue = baseline + improvementMargin;
        for (let number = 1; number < produced; number++) {
          if (values[position + number]! > bestValue) {
            bestValue = values[position + number]!;
            bestNumber = number;
          }
        }
        if (bestNumber > 0) {
          actions.set(candidates.subarray((index * maximumCandidates + bestNumber) * headCount, (index * maximumCandidates + bestNumber + 1) * headCount), row * headCount);
          gainTotal += values[position + bestNumber]! - baseline;
          moved = true;
        }
        position += produced;
      }
      if (!moved) break;
    }
  }
  const { active, masks, changed } = actionTargetsOf(dataset, actionSpace, actions, rows);
  return {
    actions,
    active,
    masks,
    changedShare: changed / Math.max(1, rows.length),
    meanGain: gainTotal / Math.max(1, rows.length),
    ...(models[0]!.head.kind === 'decomposed'
      ? {
          predictedSuccessLogged: meanPredictedSuccess(models, dataset, actionSpace, dataset.actions, rows),
          predictedSuccessImproved: meanPredictedSuccess(models, dataset, actionSpace, actions, rows),
        }
      : {}),
  };
}

/**
 * The layout the actor clones from: for improved `actions` (`size × headCount`), their active heads and masks (rows
 * outside `rows` keep the logged ones), and how many of `rows` differ from the logged action.
 */
export function actionTargetsOf(dataset: ExperienceDataset, actionSpace: ActionSpace, actions: Int32Array, rows: Int32Array): ActionTargets & { changed: number } {
  const { headCount, totalLogits } = dataset;
  const mask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  const activeHeads = new Array<boolean>(headCount);
  const active = Uint8Array.from(dataset.active);
  const masks = Uint8Array.from(dataset.masks);
  let changed = 0;
  for (const row of rows) {
    const indices = actions.subarray(row * headCount, (row + 1) * headCount);
    let differs = false;
    for (let head = 0; head < headCount; head++) if (indices[head] !== dataset.actions[row * headCount + head]) differs = true;
    if (differs) changed += 1;
    actionSpace.activeHeads(indices, activeHeads);
    for (let head = 0; head < headCount; head++) {
      active[row * headCount + head] = activeHeads[head] ? 1 : 0;
      actionSpace.mask(head, indices, mask);
      masks.set(mask.subarray(0, actionSpace.heads[head]!.size), row * totalLogits + actionSpace.offsets[head]!);
    }
  }
  return { actions, active, masks, changed };
}

/** The ensemble's mean predicted success probability of `actions` on `rows` (decomposed reward models only). */
export function meanPredictedSuccess(
  models: readonly RewardModel[],
  dataset: ExperienceDataset,
  actionSpace: ActionSpace,
  actions: Int32Array,
  rows: Int32Array,
): number {
  const { stateSize, headCount } = dataset;
  const activeHeads = new Array<boolean>(headCount);
  let total = 0;
  for (let start = 0; start < rows.length; start += chunkRows) {
    const count = Math.min(chunkRows, rows.length - start);
    for (const model of models) {
      const input = model.network.input(count);
      for (let index = 0; index < count; index++) {
        const row = rows[start + index]!;
        const indices = actions.subarray(row * headCount, (row + 1) * headCount);
        actionSpace.activeHeads(indices, activeHeads);
        encodePredictionInput(dataset.states.subarray(row * stateSize, (row + 1) * stateSize), indices, activeHeads, actionSpace, input, index * model.inputSize);
      }
      const output = model.network.forward(count);
      for (let index = 0; index < count; index++) total += 1 / (1 + Math.exp(-output[index * model.head.outputSize]!));
    }
  }
  return total / Math.max(1, rows.length * models.length);
}
