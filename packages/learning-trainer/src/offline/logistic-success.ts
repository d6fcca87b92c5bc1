import type { ActionSpace } from '@orchestra/learning-features';
import { cholesky, designRow, effectiveIndices, fillAction, fillState, inverseFromCholesky, type DesignRow } from './critic-design';
import type { ExperienceDataset } from './experience-dataset';

/**
 * The success part of the critic: a Bayesian logistic model of P(success | s, a) on the linear critic's design
 * (the state vector, then ψ(s) at every active head choice),
 *
 *     P(success | s, a) = σ(v · φ(s) + Σ_{h active in a} z_{h, a_h} · ψ(s)),
 *
 * fitted by Newton's method (IRLS) to the posterior mode under the linear critic's ridge prior, with the Laplace
 * approximation (XᵀWX + Λ)⁻¹ as its posterior covariance.
 *
 * Why: the simulated sessions — and real ones — succeed through products of step successes and a sigmoid of the task's
 * difficulty, so the effects of head choices add on the logit scale, not on the probability scale. A linear model
 * of the reward adds them as probabilities: where the rules already succeed 85–90 % of the time it predicted
 * successes above 1 for several changes at once (measured: 1.04 on cheap-models-strong, where the candidate then lost
 * 6 points of success) and valued candidates 10 points above what they achieved. On the logit scale a gain shrinks
 * as success approaches 1, so improvements that only look good when added up are no longer chosen.
 */
export interface LogisticSuccessModel {
  /** Coefficients of the success logit, laid out as the linear critic's (`LinearCritic.size`). */
  readonly coefficients: Float64Array;
  /** Laplace posterior covariance of the coefficients at the mode, row-major `size × size`. */
  readonly inverse: Float64Array;
  /** The reward components that move with success (their sum is modelled as `rewardPerSuccess` × success). */
  readonly components: readonly string[];
  /** Normalised reward per unit of success probability: the slope of those components' sum on success. */
  readonly rewardPerSuccess: number;
  /** Success rate of the training rows, and Newton steps taken. */
  readonly trainingSuccessRate: number;
  readonly iterations: number;
}

/** Options of `fitLogisticSuccess`. */
export interface LogisticSuccessOptions {
  readonly shape: { readonly stateFeatures: number; readonly effectFeatures: number; readonly size: number };
  /**
   * Prior precision of each coefficient in sessions (the linear critic's ridge); it is scaled by p̄(1 − p̄), the
   * Fisher information of one session at the training success rate, so "worth k sessions" means the same here.
   */
  readonly ridgeAt: (index: number) => number;
  /** Reward components that move with success (default `['outcome']`). */
  readonly components?: readonly string[];
  /** Training units per reward point (normalised = scale · total + offset). */
  readonly rewardScale: number;
  /** Newton steps at most (default 25); stops earlier when no coefficient moves by more than 1e-6. */
  readonly maxIterations?: number;
}

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/**
 * The slope of `rewardScale` × (sum of `components`) on success over `rows` (least squares), or `undefined` when every
 * row succeeded or every row failed (no success model can be fitted then).
 */
export function rewardPerSuccessOf(dataset: ExperienceDataset, rows: Int32Array, components: readonly string[], rewardScale: number): number | undefined {
  const columns = components.map((name) => dataset.componentNames.indexOf(name)).filter((column) => column >= 0);
  const width = dataset.componentNames.length;
  let count = 0;
  let successMean = 0;
  let valueMean = 0;
  for (const row of rows) {
    let value = 0;
    for (const column of columns) value += dataset.components[row * width + column]!;
    count += 1;
    successMean += dataset.success[row]!;
    valueMean += rewardScale * value;
  }
  if (count === 0) return undefined;
  successMean /= count;
  valueMean /= count;
  let covariance = 0;
  let variance = 0;
  for (const row of rows) {
    let value = 0;
    for (const column of columns) value += dataset.components[row * width + column]!;
    const centred = dataset.success[row]! - successMean;
    covariance += centred * (rewardScale * value - valueMean);
    variance += centred * centred;
  }
  return variance > 0 ? covariance / variance : undefined;
}

/**
 * Fits the logistic success model on `training` rows. Returns `undefined` when the rows hold only successes or only
 * failures.
 *
 * @throws RangeError when the Newton system is not positive definite (a non-finite feature).
 */
export function fitLogisticSuccess(dataset: ExperienceDataset, actionSpace: ActionSpace, training: Int32Array, options: LogisticSuccessOptions): LogisticSuccessModel | undefined {
  const components = options.components ?? ['outcome'];
  const rewardPerSuccess = rewardPerSuccessOf(dataset, training, components, options.rewardScale);
  if (rewardPerSuccess === undefined) return undefined;
  const { size, stateFeatures } = options.shape;
  const { stateSize, headCount } = dataset;
  // The sparse design rows, built once: positions and values of the non-zeros of each training row.
  const row = designRow(options.shape, headCount);
  const effective = new Int32Array(headCount);
  const mask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  const starts = new Int32Array(training.length + 1);
  const positionChunks: Int32Array[] = [];
  const valueChunks: Float64Array[] = [];
  const scratchPositions = new Int32Array(size);
  const scratchValues = new Float64Array(size);
  let total = 0;
  let successes = 0;
  training.forEach((rowIndex, position) => {
    fillState(row, dataset.states.subarray(rowIndex * stateSize, (rowIndex + 1) * stateSize));
    fillAction(row, actionSpace, effectiveIndices(actionSpace, dataset.actions.subarray(rowIndex * headCount, (rowIndex + 1) * headCount), effective, mask));
    const count = sparseRow(row, stateFeatures, options.shape.effectFeatures, scratchPositions, scratchValues);
    positionChunks.push(scratchPositions.slice(0, count));
    valueChunks.push(scratchValues.slice(0, count));
    total += count;
    starts[position + 1] = total;
    successes += dataset.success[rowIndex]!;
  });
  const successRate = successes / Math.max(1, training.length);
  const information = Math.max(0.05, successRate * (1 - successRate));
  const precision = Float64Array.from({ length: size }, (_, index) => options.ridgeAt(index) * information);
  const weights = new Float64Array(size);
  // Start at the training success rate (the bias is the state part's last coefficient).
  weights[stateFeatures - 1] = Math.log(successRate / (1 - successRate));
  const hessian = new Float64Array(size * size);
  const gradient = new Float64Array(size);
  const step = new Float64Array(size);
  const maxIterations = options.maxIterations ?? 25;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    hessian.fill(0);
    for (let index = 0; index < size; index++) {
      hessian[index * size + index] = precision[index]!;
      gradient[index] = -precision[index]! * weights[index]!;
    }
    training.forEach((rowIndex, position) => {
      const positions = positionChunks[position]!;
      const values = valueChunks[position]!;
      let logit = 0;
      for (let k = 0; k < positions.length; k++) logit += weights[positions[k]!]! * values[k]!;
      const probability = sigmoid(logit);
      const curvature = probability * (1 - probability);
      const residual = dataset.success[rowIndex]! - probability;
      for (let i = 0; i < positions.length; i++) {
        const a = positions[i]!;
        const scaled = curvature * values[i]!;
        gradient[a]! += residual * values[i]!;
        const offset = a * size;
        for (let j = 0; j < positions.length; j++) hessian[offset + positions[j]!]! += scaled * values[j]!;
      }
    });
    if (!cholesky(hessian, size)) throw new RangeError('fitLogisticSuccess: the Newton system is not positive definite (non-finite features?)');
    solveCholesky(hessian, size, gradient, step);
    let largest = 0;
    for (let index = 0; index < size; index++) {
      weights[index]! += step[index]!;
      largest = Math.max(largest, Math.abs(step[index]!));
    }
    if (largest < 1e-6) {
      iterations += 1;
      break;
    }
  }
  // The Laplace covariance from the last factorised Hessian (at the mode once the steps have vanished).
  return { coefficients: weights, inverse: inverseFromCholesky(hessian, size), components, rewardPerSuccess, trainingSuccessRate: successRate, iterations };
}

/** The non-zeros of a design row: writes positions and values, returns their count. */
export function sparseRow(row: DesignRow, stateFeatures: number, effectFeatures: number, positions: Int32Array, values: Float64Array): number {
  let count = 0;
  for (let index = 0; index < stateFeatures; index++) {
    const value = row.state[index]!;
    if (value === 0) continue;
    positions[count] = index;
    values[count++] = value;
  }
  for (let block = 0; block < row.blockCount; block++) {
    const start = stateFeatures + row.blocks[block]! * effectFeatures;
    for (let index = 0; index < effectFeatures; index++) {
      const value = row.context[index]!;
      if (value === 0) continue;
      positions[count] = start + index;
      values[count++] = value;
    }
  }
  return count;
}

/** Solves L Lᵀ x = b given the Cholesky factor L (lower triangle of `factor`). */
function solveCholesky(factor: Float64Array, size: number, rightHandSide: Float64Array, out: Float64Array): void {
  for (let row = 0; row < size; row++) {
    let value = rightHandSide[row]!;
    const offset = row * size;
    for (let column = 0; column < row; column++) value -= factor[offset + column]! * out[column]!;
    out[row] = value / factor[offset + row]!;
  }
  for (let row = size - 1; row >= 0; row--) {
    let value = out[row]!;
    for (let k = row + 1; k < size; k++) value -= factor[k * size + row]! * out[k]!;
    out[row] = value / factor[row * size + row]!;
  }
}

/** The state part of the success logit, v · φ(s), for the state already in `row`. */
export function stateLogit(model: LogisticSuccessModel, row: DesignRow): number {
  let sum = 0;
  for (let index = 0; index < row.state.length; index++) sum += model.coefficients[index]! * row.state[index]!;
  return sum;
}

/** The action part of the success logit, Σ z · ψ(s) over the active choices in `row`. */
export function actionLogit(model: LogisticSuccessModel, row: DesignRow, stateFeatures: number, effectFeatures: number): number {
  let sum = 0;
  for (let block = 0; block < row.blockCount; block++) {
    const start = stateFeatures + row.blocks[block]! * effectFeatures;
    for (let index = 0; index < effectFeatures; index++) sum += model.coefficients[start + index]! * row.context[index]!;
  }
  return sum;
}

/** σ(to) − σ(from) and the secant slope (Δσ / Δlogit; σ′ when the logits coincide) between two logits. */
export function successDifference(fromLogit: number, toLogit: number): { difference: number; slope: number } {
  const difference = sigmoid(toLogit) - sigmoid(fromLogit);
  const span = toLogit - fromLogit;
  if (Math.abs(span) < 1e-9) {
    const probability = sigmoid(fromLogit);
    return { difference, slope: probability * (1 - probability) };
  }
  return { difference, slope: difference / span };
}

export { sigmoid as successProbability };
