/*
 * Longer than 400 lines: one model — the linear critic's fit (the Gram matrix, the evidence over context factors, the
 * reward parts), its scorer and the improvement step that ascends it — all reading the same private design-row layout
 * and posterior; split apart, that layout would become a public contract between files. `critic-design.ts` holds
 * what is shared with the gate (design rows, effective indices, the Cholesky algebra).
 */
import { actionHeads, type ActionSpace } from '@orchestra/learning-features';
import { blockContext, cholesky, designRow, effectContextSize, effectiveIndices, fillAction, fillState, inverseFromCholesky, STRATUM_TERM, type DesignRow } from './critic-design';
import type { ExperienceDataset } from './experience-dataset';
import type { LocalEvidence } from './local-evidence';
import { actionTargetsOf, canonicaliseIndices, type ActionTargets, type ImprovementSummary } from './q-distillation';

/**
 * The critic of the `q-distillation` objective: a Bayesian linear model of the reward, factorised over the action
 * heads,
 *
 *     Q(s, a) = w · φ(s) + Σ_{h active in a} u_{h, a_h} · ψ(s)
 *
 * with φ(s) the whole state vector (task, history, load, hashed text) and ψ(s) a compact context (task type,
 * complexity, risk, size, load) that each head choice's effect may depend on. It is fitted by ridge regression
 * (the prior: no choice has an effect until the logs show one), which gives the exact posterior covariance, so every
 * predicted difference between two actions in a state comes with its standard deviation.
 *
 * Why this shape: the logging policy explores one head at a time, so what the logs identify is the effect of each
 * head's choice in a context. Flexible networks over the joint action extrapolate to combinations never logged, and
 * policy improvement then exploits their errors (measured on the default world: a network critic predicted +13
 * points of success for actions that lost 13). Here an effect the logs do not support has a wide posterior, and the
 * improvement step moves only where the lower confidence bound of the gain is positive.
 *
 * Heads interact through which heads are active (a model head counts only when its role is in the team), and a
 * `direct` session runs the executor alone whatever team it names (`effectiveIndices`).
 */
export interface LinearCritic {
  /** `φ` size (state + bias) and `ψ` size. */
  readonly stateFeatures: number;
  readonly effectFeatures: number;
  /** Total coefficients: `stateFeatures + effectFeatures × totalLogits`. */
  readonly size: number;
  /** Posterior mean coefficients for each fitted target (`total` is the normalised reward). */
  readonly coefficients: Readonly<Record<LinearCriticTarget, Float64Array>>;
  /** Posterior covariance of the coefficients divided by the noise variance: (XᵀX + Λ)⁻¹, row-major `size × size`. */
  readonly inverse: Float64Array;
  /** Residual variance of the normalised reward on the training rows. */
  readonly noiseVariance: number;
  /** Training rows, validation mean squared error of the normalised reward, and of predicting the training mean. */
  readonly trainingSize: number;
  readonly validationMeanSquaredError: number;
  readonly baselineMeanSquaredError: number;
  /** The context ridge factor in force (the one of highest evidence when several were offered). */
  readonly contextRidgeFactor: number;
  /** The effect ridge in force (the one of highest evidence when several were offered). */
  readonly effectRidge: number;
  /**
   * Log marginal likelihood of the training rewards per offered prior (effect ridge × context factor; empty when
   * only one was offered).
   */
  readonly logEvidence: ReadonlyArray<{ readonly factor: number; readonly effectRidge: number; readonly logEvidence: number }>;
  /**
   * The reward split into parts fitted separately (absent: one model of the total). Each part has its own prior
   * strength (chosen by its evidence) and noise, so the gains of low-noise terms (time, cost, errors, model-tier
   * bonuses) are not drowned in the ±100 outcome term's noise. `coefficients.total` is the sum of the parts'.
   */
  readonly parts?: ReadonlyArray<LinearCriticPart>;
  /**
   * Fitted with a stratifier's action per row (`LinearCriticOptions.strata`): every state it scores needs the
   * stratifier's action there too (`LinearCriticScorer.setState`).
   */
  readonly stratified?: boolean;
}

/** One separately fitted part of the reward (see `LinearCritic.parts`). */
export interface LinearCriticPart {
  /** The reward components it sums (the last part takes every component no other part names). */
  readonly components: readonly string[];
  readonly coefficients: Float64Array;
  /** (XᵀX + Λ)⁻¹ under this part's prior. */
  readonly inverse: Float64Array;
  readonly noiseVariance: number;
  /** Multiplier of the effect ridge the part's evidence chose. */
  readonly effectRidgeMultiplier: number;
}

/** What the critic predicts: the normalised reward (what the policy maximises), success (0/1) and cost in USD. */
export type LinearCriticTarget = 'total' | 'success' | 'costUsd';
const targets: readonly LinearCriticTarget[] = ['total', 'success', 'costUsd'];

/** Options of `fitLinearCritic`. */
export interface LinearCriticOptions {
  /** Ridge penalty of the state coefficients (default 1). */
  stateRidge?: number;
  /**
   * Ridge penalty of the effect coefficients: the prior's weight, in sessions, that a choice has no effect (default
   * 8). Several values: as for `contextRidgeFactor`, the evidence chooses (jointly with the factor) — the data decide
   * how large the effects of choices are a priori, which sets how far a rarely logged choice's lucky mean is shrunk.
   */
  effectRidge?: number | readonly number[];
  /**
   * Multiplies `effectRidge` for the context terms of an effect (all of ψ(s) but its constant); default 1. Several
   * values: the one under which the training rewards are most probable (the model evidence, the prior and the noise
   * integrated out, noise variance profiled) is used — the data decide how much an effect may vary with the task.
   */
  contextRidgeFactor?: number | readonly number[];
  /**
   * Split the reward into parts fitted separately: each inner list names reward components forming one part, and
   * the components no list names form a last part. Empty or absent: one model of the total.
   */
  parts?: readonly (readonly string[])[];
  /** Multipliers of the effect ridge each part's evidence chooses from (default [0.25, 1, 4, 16]). */
  partRidgeMultipliers?: readonly number[];
  /** Training units per reward point (needed by `parts`: a part's targets are this × the sum of its components). */
  rewardScale?: number;
  /**
   * The stratifier's action of every row (`size × heads`, dataset layout) — the default rules' greedy action, a
   * function of the state: each choice's effect gets a second term, at the main effect's ridge, for the states where
   * the stratifier makes that choice itself (ψ(s)'s stratum term). A choice the rules reserve for some tasks (the
   * strongest executor for complex ones) then has one effect there and another where the rules choose otherwise,
   * instead of one effect pooled over both. Absent: no stratum term.
   */
  strata?: Int32Array;
}

/**
 * Fits the critic on `training` rows of `dataset` (ridge regression with the exact posterior); the validation error
 * is measured on `validation`.
 *
 * @throws RangeError when the penalised Gram matrix is not positive definite (a non-finite feature).
 */
export function fitLinearCritic(dataset: ExperienceDataset, actionSpace: ActionSpace, training: Int32Array, validation: Int32Array, options: LinearCriticOptions = {}): LinearCritic {
  const stateRidge = options.stateRidge ?? 1;
  const { stateSize, headCount } = dataset;
  const stateFeatures = stateSize + 1;
  // A stratified critic's blocks carry the stratum term after ψ(s).
  const effectFeatures = effectContextSize + (options.strata === undefined ? 0 : 1);
  const size = stateFeatures + effectFeatures * actionSpace.totalLogits;
  const gram = new Float64Array(size * size);
  const moments = targets.map(() => new Float64Array(size));
  const shape = { stateFeatures, effectFeatures };
  const row = designRow(shape, headCount);
  const effective = new Int32Array(headCount);
  const mask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  const strata = options.strata;
  if (strata !== undefined && strata.length !== dataset.size * headCount) throw new RangeError(`fitLinearCritic: strata must hold ${dataset.size} × ${headCount} indices, got ${strata.length}`);
  // Dense copy of one design row: Gram updates touch only its non-zero positions.
  const dense = new Float64Array(size);
  const nonZero = new Int32Array(size);
  const valuesOf = (rowIndex: number): number[] => [dataset.normalisedRewards[rowIndex]!, dataset.success[rowIndex]!, dataset.costUsd[rowIndex]!];
  const expand = (): number => {
    let count = 0;
    for (let index = 0; index < stateFeatures; index++) {
      const value = row.state[index]!;
      if (value !== 0) {
        dense[index] = value;
        nonZero[count++] = index;
      }
    }
    for (let block = 0; block < row.blockCount; block++) {
      const start = stateFeatures + row.blocks[block]! * effectFeatures;
      for (let index = 0; index < effectFeatures; index++) {
        const value = blockContext(row, row.blocks[block]!, index);
        if (value !== 0) {
          dense[start + index] = value;
          nonZero[count++] = start + index;
        }
      }
    }
    return count;
  };
  const load = (rowIndex: number) => {
    const state = dataset.states.subarray(rowIndex * stateSize, (rowIndex + 1) * stateSize);
    fillState(row, state, strata === undefined ? undefined : { actionSpace, indices: strata.subarray(rowIndex * headCount, (rowIndex + 1) * headCount) });
    fillAction(row, actionSpace, effectiveIndices(actionSpace, dataset.actions.subarray(rowIndex * headCount, (rowIndex + 1) * headCount), effective, mask));
  };
  let sumOfSquares = 0;
  for (const rowIndex of training) {
    load(rowIndex);
    const count = expand();
    const values = valuesOf(rowIndex);
    sumOfSquares += values[0]! * values[0]!;
    for (let i = 0; i < count; i++) {
      const a = nonZero[i]!;
      const valueA = dense[a]!;
      for (let j = 0; j < count; j++) {
        const b = nonZero[j]!;
        gram[a * size + b]! += valueA * dense[b]!;
      }
      for (let target = 0; target < targets.length; target++) moments[target]![a]! += valueA * values[target]!;
    }
    for (let i = 0; i < count; i++) dense[nonZero[i]!] = 0;
  }
  const wantsParts = options.parts !== undefined && options.parts.length > 0;
  const factors = positiveList(options.contextRidgeFactor ?? 1, 'context ridge factors');
  const effectRidges = positiveList(options.effectRidge ?? 8, 'effect ridges');
  // ψ(s)[0] is the constant: the choice's main effect; the stratum term is under the same ridge; the other terms are
  // how the effect varies with the context.
  const ridgeAt = (index: number, prior: CriticPrior) => {
    if (index < stateFeatures) return stateRidge;
    const term = (index - stateFeatures) % effectFeatures;
    return term === 0 || term === STRATUM_TERM ? prior.effectRidge : prior.effectRidge * prior.factor;
  };
  const priors: CriticPrior[] = effectRidges.flatMap((ridge) => factors.map((factor) => ({ effectRidge: ridge, factor })));
  let chosen = { prior: priors[0]!, factorised: gram, logEvidence: Number.NEGATIVE_INFINITY };
  const logEvidence: Array<{ factor: number; effectRidge: number; logEvidence: number }> = [];
  for (const prior of priors) {
    // The Gram matrix is factorised in place only when nothing else needs it afterwards (one prior, no parts).
    const penalised = priors.length === 1 && wantsParts === false ? gram : Float64Array.from(gram);
    for (let index = 0; index < size; index++) penalised[index * size + index]! += ridgeAt(index, prior);
    if (!cholesky(penalised, size)) throw new RangeError('fitLinearCritic: the penalised Gram matrix is not positive definite (non-finite features?)');
    if (priors.length === 1) {
      chosen = { prior, factorised: penalised, logEvidence: Number.NaN };
      break;
    }
    const evidence = logMarginalLikelihood(penalised, size, moments[0]!, sumOfSquares, training.length, (index) => ridgeAt(index, prior));
    logEvidence.push({ factor: prior.factor, effectRidge: prior.effectRidge, logEvidence: evidence });
    if (evidence > chosen.logEvidence) chosen = { prior, factorised: penalised, logEvidence: evidence };
  }
  const inverse = inverseFromCholesky(chosen.factorised, size);
  const coefficients = {} as Record<LinearCriticTarget, Float64Array>;
  targets.forEach((target, index) => {
    const result = new Float64Array(size);
    const moment = moments[index]!;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      const offset = i * size;
      for (let j = 0; j < size; j++) sum += inverse[offset + j]! * moment[j]!;
      result[i] = sum;
    }
    coefficients[target] = result;
  });
  const critic: LinearCritic = {
    stateFeatures,
    effectFeatures,
    size,
    coefficients,
    inverse,
    noiseVariance: 1,
    trainingSize: training.length,
    validationMeanSquaredError: 0,
    baselineMeanSquaredError: 0,
    contextRidgeFactor: chosen.prior.factor,
    effectRidge: chosen.prior.effectRidge,
    logEvidence,
    ...(strata === undefined ? {} : { stratified: true }),
  };
  const predictRow = (rowIndex: number) => {
    load(rowIndex);
    return predictDesign(critic, row, 'total');
  };
  let residual = 0;
  let trainingMean = 0;
  for (const rowIndex of training) {
    residual += (predictRow(rowIndex) - dataset.normalisedRewards[rowIndex]!) ** 2;
    trainingMean += dataset.normalisedRewards[rowIndex]!;
  }
  trainingMean /= Math.max(1, training.length);
  let validationError = 0;
  let baselineError = 0;
  for (const rowIndex of validation) {
    validationError += (predictRow(rowIndex) - dataset.normalisedRewards[rowIndex]!) ** 2;
    baselineError += (trainingMean - dataset.normalisedRewards[rowIndex]!) ** 2;
  }
  const fitted: LinearCritic = {
    ...critic,
    noiseVariance: residual / Math.max(1, training.length),
    validationMeanSquaredError: validationError / Math.max(1, validation.length),
    baselineMeanSquaredError: baselineError / Math.max(1, validation.length),
  };
  if (!wantsParts) return fitted;
  const parts = fitParts(dataset, training, gram, size, (index) => ridgeAt(index, chosen.prior), stateFeatures, options, load, expand, dense, nonZero);
  const total = new Float64Array(size);
  for (const part of parts) for (let index = 0; index < size; index++) total[index]! += part.coefficients[index]!;
  return { ...fitted, coefficients: { ...fitted.coefficients, total }, parts };
}

/** A prior of the critic's effects: the main effect's ridge and the factor of its context terms. */
interface CriticPrior {
  effectRidge: number;
  factor: number;
}

function positiveList(offered: number | readonly number[], what: string): number[] {
  const values = typeof offered === 'number' ? [offered] : [...offered];
  if (values.length === 0 || !values.every((value) => value > 0 && Number.isFinite(value))) throw new RangeError(`fitLinearCritic: ${what} must be positive, got ${JSON.stringify(offered)}`);
  return values;
}

/**
 * Fits each part of the reward (`options.parts`) on the shared Gram matrix: its targets are `scale` × the sum of its
 * components (the last part also takes the offset and whatever the components do not explain), its effect ridge the
 * multiplier of highest evidence, its noise the part's own residual variance.
 */
function fitParts(
  dataset: ExperienceDataset,
  training: Int32Array,
  gram: Float64Array,
  size: number,
  ridgeAt: (index: number) => number,
  stateFeatures: number,
  options: LinearCriticOptions,
  load: (rowIndex: number) => void,
  expand: () => number,
  dense: Float64Array,
  nonZero: Int32Array,
): LinearCriticPart[] {
  const named = (options.parts ?? []).map((names) => [...names]);
  const namedSet = new Set(named.flat());
  const rest = dataset.componentNames.filter((name) => !namedSet.has(name));
  const groups = [...named, rest];
  const scale = options.rewardScale ?? 1;
  const columns = dataset.componentNames.length;
  const columnOf = new Map(dataset.componentNames.map((name, column) => [name, column]));
  const partValue = (group: number, row: number): number => {
    if (group < groups.length - 1) {
      let sum = 0;
      for (const name of groups[group]!) {
        const column = columnOf.get(name);
        if (column !== undefined) sum += dataset.components[row * columns + column]!;
      }
      return scale * sum;
    }
    // The last part: the normalised total minus the other parts (offset, rest components, anything unexplained).
    let others = 0;
    for (let other = 0; other < groups.length - 1; other++) others += partValue(other, row);
    return dataset.normalisedRewards[row]! - others;
  };
  const moments = groups.map(() => new Float64Array(size));
  const sumsOfSquares = groups.map(() => 0);
  for (const rowIndex of training) {
    load(rowIndex);
    const count = expand();
    for (let group = 0; group < groups.length; group++) {
      const value = partValue(group, rowIndex);
      sumsOfSquares[group]! += value * value;
      const moment = moments[group]!;
      for (let i = 0; i < count; i++) moment[nonZero[i]!]! += dense[nonZero[i]!]! * value;
    }
    for (let i = 0; i < count; i++) dense[nonZero[i]!] = 0;
  }
  const partMultipliers = options.partRidgeMultipliers ?? [0.25, 1, 4, 16];
  return groups.map((components, group) => {
    // Only the last part (how the session ran: nearly noiseless given the action) lets its evidence choose the prior.
    // A named part keeps the prior of the whole critic: its effects are weakly identified in noisy terms, and a prior
    // its evidence strengthened would read the absence of evidence as the absence of an effect (measured: a policy
    // that cut cost 90 % lost 19 points of success while its critic saw no loss).
    const multipliers = group === groups.length - 1 ? partMultipliers : [1];
    const ridgeOf = (multiplier: number) => (index: number) => (index < stateFeatures ? ridgeAt(index) : ridgeAt(index) * multiplier);
    let best: { multiplier: number; factorised: Float64Array; evidence: number } | undefined;
    for (const multiplier of multipliers) {
      const penalised = Float64Array.from(gram);
      const ridge = ridgeOf(multiplier);
      for (let index = 0; index < size; index++) penalised[index * size + index]! += ridge(index);
      if (!cholesky(penalised, size)) throw new RangeError('fitLinearCritic: the penalised Gram matrix is not positive definite (non-finite features?)');
      const evidence = multipliers.length === 1 ? 0 : logMarginalLikelihood(penalised, size, moments[group]!, sumsOfSquares[group]!, training.length, ridge);
      if (best === undefined || evidence > best.evidence) best = { multiplier, factorised: penalised, evidence };
    }
    const inverse = inverseFromCholesky(best!.factorised, size);
    const coefficients = new Float64Array(size);
    const moment = moments[group]!;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      const rowOffset = i * size;
      for (let j = 0; j < size; j++) sum += inverse[rowOffset + j]! * moment[j]!;
      coefficients[i] = sum;
    }
    let residual = 0;
    for (const rowIndex of training) {
      load(rowIndex);
      const count = expand();
      let prediction = 0;
      for (let i = 0; i < count; i++) prediction += coefficients[nonZero[i]!]! * dense[nonZero[i]!]!;
      for (let i = 0; i < count; i++) dense[nonZero[i]!] = 0;
      residual += (prediction - partValue(group, rowIndex)) ** 2;
    }
    return { components, coefficients, inverse, noiseVariance: residual / Math.max(1, training.length), effectRidgeMultiplier: best!.multiplier };
  });
}

/**
 * Log marginal likelihood of the targets y under the ridge model (prior w ~ N(0, σ²Λ⁻¹), noise σ², σ² profiled):
 * with G = XᵀX + Λ = L Lᵀ, b = Xᵀy and S = yᵀy − bᵀG⁻¹b,
 *
 *     ln p(y) = ½ Σ ln λᵢ − ½ ln|G| − (N/2) ln(2π S/N) − N/2.
 */
function logMarginalLikelihood(factor: Float64Array, size: number, moment: Float64Array, sumOfSquares: number, count: number, ridgeAt: (index: number) => number): number {
  // z = L⁻¹ b, so bᵀG⁻¹b = ‖z‖².
  const solved = new Float64Array(size);
  let explained = 0;
  let logDeterminant = 0;
  let logPrior = 0;
  for (let row = 0; row < size; row++) {
    let value = moment[row]!;
    const offset = row * size;
    for (let column = 0; column < row; column++) value -= factor[offset + column]! * solved[column]!;
    const diagonal = factor[offset + row]!;
    solved[row] = value / diagonal;
    explained += solved[row]! * solved[row]!;
    logDeterminant += 2 * Math.log(diagonal);
    logPrior += Math.log(ridgeAt(row));
  }
  const residual = Math.max(1e-12, sumOfSquares - explained);
  return 0.5 * logPrior - 0.5 * logDeterminant - (count / 2) * Math.log((2 * Math.PI * residual) / Math.max(1, count)) - count / 2;
}

function predictDesign(critic: LinearCritic, row: DesignRow, target: LinearCriticTarget): number {
  const weights = critic.coefficients[target];
  let sum = 0;
  for (let index = 0; index < critic.stateFeatures; index++) sum += weights[index]! * row.state[index]!;
  for (let block = 0; block < row.blockCount; block++) {
    const start = critic.stateFeatures + row.blocks[block]! * critic.effectFeatures;
    for (let index = 0; index < critic.effectFeatures; index++) sum += weights[start + index]! * blockContext(row, row.blocks[block]!, index);
  }
  return sum;
}

/**
 * Scores actions in one state with a fitted critic: `setState(state)`, then `predict(indices)` (the posterior mean
 * of any target) and `gain(from, to)` (the mean and standard deviation of Q(to) − Q(from), normalised reward).
 */
export class LinearCriticScorer {
  readonly #critic: LinearCritic;
  readonly #actionSpace: ActionSpace;
  readonly #row: DesignRow;
  readonly #effective: Int32Array;
  readonly #mask: Uint8Array;
  readonly #difference: Map<number, number> = new Map();

  constructor(critic: LinearCritic, actionSpace: ActionSpace) {
    this.#critic = critic;
    this.#actionSpace = actionSpace;
    this.#row = designRow(critic, actionSpace.heads.length);
    this.#effective = new Int32Array(actionSpace.heads.length);
    this.#mask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  }

  get critic(): LinearCritic {
    return this.#critic;
  }

  /**
   * Sets the state (a vector of the dataset's feature schema) that later calls refer to, and for a `stratified`
   * critic the stratifier's action there (ignored otherwise).
   *
   * @throws RangeError when the critic is stratified and `stratum` is absent.
   */
  setState(state: ArrayLike<number>, stratum?: ArrayLike<number>): void {
    fillState(this.#row, state, stratumOf(this.#critic, this.#actionSpace, stratum));
  }

  /** Posterior mean of `target` for the action `indices` in the current state. */
  predict(indices: ArrayLike<number>, target: LinearCriticTarget = 'total'): number {
    fillAction(this.#row, this.#actionSpace, effectiveIndices(this.#actionSpace, indices, this.#effective, this.#mask));
    return predictDesign(this.#critic, this.#row, target);
  }

  /** Q(to) − Q(from) in the current state: posterior mean and standard deviation (normalised reward). */
  gain(from: ArrayLike<number>, to: ArrayLike<number>): { mean: number; deviation: number } {
    const critic = this.#critic;
    const difference = this.#difference;
    difference.clear();
    const collect = (indices: ArrayLike<number>, sign: number) => {
      fillAction(this.#row, this.#actionSpace, effectiveIndices(this.#actionSpace, indices, this.#effective, this.#mask));
      for (let block = 0; block < this.#row.blockCount; block++) {
        const key = this.#row.blocks[block]!;
        difference.set(key, (difference.get(key) ?? 0) + sign);
      }
    };
    collect(to, 1);
    collect(from, -1);
    const weights = critic.coefficients.total;
    const effect = critic.effectFeatures;
    let mean = 0;
    const positions: number[] = [];
    const values: number[] = [];
    for (const [block, sign] of difference) {
      if (sign === 0) continue;
      const start = critic.stateFeatures + block * effect;
      for (let index = 0; index < effect; index++) {
        const value = sign * blockContext(this.#row, block, index);
        if (value === 0) continue;
        mean += weights[start + index]! * value;
        positions.push(start + index);
        values.push(value);
      }
    }
    return { mean, deviation: Math.sqrt(posteriorVariance(critic, positions, values)) };
  }
}

/** Options of `improveActionsLinear`. */
export interface LinearImprovementOptions {
  dataset: ExperienceDataset;
  actionSpace: ActionSpace;
  critic: LinearCritic;
  rows: Int32Array;
  /** Passes of coordinate ascent over the heads. */
  rounds: number;
  /** A head changes only when the lower bound mean − κ·sd of its gain exceeds `margin` (normalised reward). */
  pessimism: number;
  margin: number;
  /** The action each row's improvement starts from (`rows × heads`, dataset layout); default the logged action. */
  start?: Int32Array;
  /** Most heads changed from the start, best lower bound first (0 or absent: coordinate ascent for `rounds`). */
  maxChangedHeads?: number;
  /** A guard every change must also pass: the logs' randomised evidence in the row's cell (`buildLocalEvidence`). */
  evidence?: LocalEvidence;
  /** The stratifier's action of every row (dataset layout), required when the critic is `stratified`. */
  strata?: Int32Array;
  /**
   * A move of the approach also tries every team with it, as one move (default false). A `direct` session runs the
   * executor alone whatever team it names, so from `direct` no single-head move reaches a team that acts together:
   * the team's move gains nothing while the approach is `direct`, and the approach's move is valued with the team
   * named for a session that did not use it. Every approach move tries the teams (measured better than only moves
   * out of `direct`).
   */
  jointApproachTeam?: boolean;
}

/**
 * Policy improvement against the linear critic: for every row, starting from the logged action, coordinate ascent
 * over the heads, moving a head to the choice whose gain over the current action has the largest lower confidence
 * bound (mean − κ·sd), when that bound exceeds `margin` (with `jointApproachTeam`, the approach together with the
 * team). Returns the improved actions in the dataset's layout with
 * their active heads and masks, and what changed.
 */
export function improveActionsLinear(options: LinearImprovementOptions): ActionTargets & ImprovementSummary {
  const { dataset, actionSpace, critic, rows, rounds, pessimism, margin } = options;
  const { stateSize, headCount } = dataset;
  const scorer = new LinearCriticScorer(critic, actionSpace);
  const actions = Int32Array.from(options.start ?? dataset.actions);
  const maxChangedHeads = options.maxChangedHeads ?? 0;
  const maximumHeadSize = Math.max(...actionSpace.heads.map((head) => head.size));
  const mask = new Uint8Array(maximumHeadSize);
  const scratch = new Uint8Array(maximumHeadSize);
  const candidate = new Int32Array(headCount);
  const scratchArrays: ScratchArrays = { mask, scratch, candidate, allows: undefined, jointApproachTeam: options.jointApproachTeam === true };
  let gainTotal = 0;
  let successBefore = 0;
  let successAfter = 0;
  for (const row of rows) {
    scorer.setState(dataset.states.subarray(row * stateSize, (row + 1) * stateSize), options.strata?.subarray(row * headCount, (row + 1) * headCount));
    const current = actions.subarray(row * headCount, (row + 1) * headCount);
    const logged = dataset.actions.subarray(row * headCount, (row + 1) * headCount);
    successBefore += scorer.predict(logged, 'success');
    const evidence = options.evidence;
    scratchArrays.allows = evidence === undefined ? undefined : (head, from, to) => evidence.allows(row, head, from, to);
    if (maxChangedHeads > 0) {
      bestFirstAscent(scorer, actionSpace, current, maxChangedHeads, pessimism, margin, scratchArrays);
    } else for (let round = 0; round < rounds; round++) {
      let moved = false;
      for (let head = 0; head < headCount; head++) {
        if (!actionSpace.isHeadActive(head, current)) continue;
        const best = bestChoiceOfHead(scorer, actionSpace, current, head, pessimism, margin, scratchArrays);
        if (best.choice >= 0) {
          current[head] = best.choice;
          if (best.team >= 0) current[actionHeads.team] = best.team;
          canonicaliseIndices(actionSpace, current, scratch);
          moved = true;
        }
      }
      if (!moved) break;
    }
    gainTotal += scorer.gain(logged, current).mean;
    successAfter += scorer.predict(current, 'success');
  }
  const { active, masks, changed } = actionTargetsOf(dataset, actionSpace, actions, rows);
  const count = Math.max(1, rows.length);
  return { actions, active, masks, changedShare: changed / count, meanGain: gainTotal / count, predictedSuccessLogged: successBefore / count, predictedSuccessImproved: successAfter / count };
}

/** Whether the change of `head` from `from` to `to` in the row being improved passes the evidence guard. */
type Allows = (head: number, from: number, to: number) => boolean;

interface ScratchArrays {
  mask: Uint8Array;
  scratch: Uint8Array;
  candidate: Int32Array;
  allows: Allows | undefined;
  /** `LinearImprovementOptions.jointApproachTeam`. */
  jointApproachTeam: boolean;
}

/**
 * Best-first ascent from `current` (changed in place): up to `maxChangedHeads` times, the single change of a not yet
 * changed head whose gain over the current action has the largest lower bound (mean − κ·sd), when it exceeds `margin`.
 */
function bestFirstAscent(
  scorer: LinearCriticScorer,
  actionSpace: ActionSpace,
  current: Int32Array,
  maxChangedHeads: number,
  pessimism: number,
  margin: number,
  scratchArrays: ScratchArrays,
): void {
  const headCount = current.length;
  const changedHeads = new Uint8Array(headCount);
  for (let step = 0; step < maxChangedHeads; step++) {
    let best: HeadMove = { choice: -1, team: -1, bound: margin };
    let bestHead = -1;
    // A joint move changes two heads: only while the team is unchanged and two changes are left.
    const joint = { ...scratchArrays, jointApproachTeam: scratchArrays.jointApproachTeam && changedHeads[actionHeads.team] !== 1 && step + 1 < maxChangedHeads };
    for (let head = 0; head < headCount; head++) {
      if (changedHeads[head] === 1 || !actionSpace.isHeadActive(head, current)) continue;
      const found = bestChoiceOfHead(scorer, actionSpace, current, head, pessimism, best.bound, joint);
      if (found.choice >= 0) {
        best = found;
        bestHead = head;
      }
    }
    if (bestHead < 0) return;
    current[bestHead] = best.choice;
    changedHeads[bestHead] = 1;
    if (best.team >= 0) {
      current[actionHeads.team] = best.team;
      changedHeads[actionHeads.team] = 1;
      step += 1; // the pair counts as two changed heads
    }
    canonicaliseIndices(actionSpace, current, scratchArrays.scratch);
  }
}

/** A move of one head (and, for a joint approach move, of the team: −1 when the team stays). */
interface HeadMove {
  choice: number;
  team: number;
  bound: number;
}

/**
 * The choice of `head` (other than the current one, valid under the mask) whose gain over `current` has the largest
 * lower bound mean − κ·sd above `margin`; choice −1 when none clears it. With `jointApproachTeam`, a move of the
 * approach is valued with every team (the current one included) and the best pair is the move.
 */
function bestChoiceOfHead(
  scorer: LinearCriticScorer,
  actionSpace: ActionSpace,
  current: Int32Array,
  head: number,
  pessimism: number,
  margin: number,
  scratchArrays: ScratchArrays,
): HeadMove {
  const { mask, scratch, candidate, allows } = scratchArrays;
  const teamHead = actionHeads.team;
  const joint = scratchArrays.jointApproachTeam && head === actionHeads.approach;
  const teams = joint ? actionSpace.heads[teamHead]!.size : 1;
  actionSpace.mask(head, current, mask);
  let best: HeadMove = { choice: -1, team: -1, bound: margin };
  for (let choice = 0; choice < actionSpace.heads[head]!.size; choice++) {
    if (choice === current[head] || mask[choice] !== 1) continue;
    if (allows !== undefined && !allows(head, current[head]!, choice)) continue;
    for (let option = 0; option < teams; option++) {
      const team = joint ? option : current[teamHead]!;
      if (joint && team !== current[teamHead] && allows !== undefined && !allows(teamHead, current[teamHead]!, team)) continue;
      candidate.set(current);
      candidate[head] = choice;
      candidate[teamHead] = team;
      canonicaliseIndices(actionSpace, candidate, scratch);
      const gain = scorer.gain(current, candidate);
      const bound = gain.mean - pessimism * gain.deviation;
      if (bound > best.bound) best = { choice, team: joint && team !== current[teamHead] ? team : -1, bound };
    }
  }
  return best;
}

/**
 * Posterior standard deviation (normalised reward) of the mean gain Σ_i [Q(s_i, to_i) − Q(s_i, from_i)] / n over
 * several states: the critic's own uncertainty about an average advantage, which resampling the states cannot show.
 */
export function meanGainDeviation(
  critic: LinearCritic,
  actionSpace: ActionSpace,
  rows: ReadonlyArray<{ state: ArrayLike<number>; from: ArrayLike<number>; to: ArrayLike<number>; stratum?: ArrayLike<number> }>,
): number {
  if (rows.length === 0) return 0;
  const direction = new Float64Array(critic.size);
  const row = designRow(critic, actionSpace.heads.length);
  const effective = new Int32Array(actionSpace.heads.length);
  const mask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  const add = (indices: ArrayLike<number>, sign: number) => {
    fillAction(row, actionSpace, effectiveIndices(actionSpace, indices, effective, mask));
    for (let block = 0; block < row.blockCount; block++) {
      const start = critic.stateFeatures + row.blocks[block]! * critic.effectFeatures;
      for (let index = 0; index < critic.effectFeatures; index++) direction[start + index]! += (sign * blockContext(row, row.blocks[block]!, index)) / rows.length;
    }
  };
  for (const entry of rows) {
    // Only ψ(s) enters a gain (the state part cancels).
    fillState(row, entry.state, stratumOf(critic, actionSpace, entry.stratum));
    add(entry.to, 1);
    add(entry.from, -1);
  }
  const positions: number[] = [];
  const values: number[] = [];
  for (let index = 0; index < critic.size; index++) {
    if (direction[index] === 0) continue;
    positions.push(index);
    values.push(direction[index]!);
  }
  return Math.sqrt(posteriorVariance(critic, positions, values));
}

/** The stratifier's action as `fillState` takes it: required by a stratified critic, ignored by another. */
function stratumOf(critic: LinearCritic, actionSpace: ActionSpace, stratum: ArrayLike<number> | undefined): { actionSpace: ActionSpace; indices: ArrayLike<number> } | undefined {
  if (critic.stratified !== true) return undefined;
  if (stratum === undefined) throw new RangeError('LinearCritic: a stratified critic needs the stratifier\'s action of every state it scores');
  return { actionSpace, indices: stratum };
}

/**
 * Posterior variance of Σ_k values[k] · w[positions[k]] (normalised reward²): σ² dᵀ(XᵀX + Λ)⁻¹d, summed over the
 * reward's parts when the critic has them (their errors are independent).
 */
function posteriorVariance(critic: LinearCritic, positions: readonly number[], values: readonly number[]): number {
  const size = critic.size;
  const quadratic = (inverse: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < positions.length; i++) {
      const offset = positions[i]! * size;
      for (let j = 0; j < positions.length; j++) sum += values[i]! * values[j]! * inverse[offset + positions[j]!]!;
    }
    return sum;
  };
  if (critic.parts === undefined) return Math.max(0, quadratic(critic.inverse) * critic.noiseVariance);
  let variance = 0;
  for (const part of critic.parts) variance += Math.max(0, quadratic(part.inverse) * part.noiseVariance);
  return variance;
}
