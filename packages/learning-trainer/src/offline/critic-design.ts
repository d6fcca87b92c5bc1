import { actionHeads, featureOffsets, type ActionSpace } from '@orchestra/learning-features';
import { taskTypes } from '@orchestra/learning-types';
import { canonicaliseIndices } from './q-distillation';

/**
 * The design of the action-factorised linear critic: a row is the state vector φ(s) (+ bias) and, for every active
 * head choice, the compact context ψ(s) at that choice's block; and the dense linear algebra it is fitted with.
 */

/** Index of the `direct` approach and of the executor-only team in the action space. */
const directApproach = 0;
const executorOnlyTeam = 0;

/**
 * The action as it takes effect: a `direct` session runs the executor alone whatever team it names, so the critic
 * sees the executor-only team (and no other role's model) there.
 */
export function effectiveIndices(actionSpace: ActionSpace, indices: ArrayLike<number>, out: Int32Array, mask: Uint8Array): Int32Array {
  for (let head = 0; head < out.length; head++) out[head] = indices[head]!;
  if (out[actionHeads.approach] === directApproach) out[actionHeads.team] = executorOnlyTeam;
  canonicaliseIndices(actionSpace, out, mask);
  return out;
}

/** ψ(s): the compact context each choice's effect depends on (bias, task type, complexity, risk, size, load). */
export const effectContextSize = 1 + taskTypes.length + 6;

/**
 * Position of the stratum term, after ψ(s), in the blocks of a stratified critic (whose blocks are one longer): the
 * one term that differs between a row's blocks, 1 at the block of the choice the stratifier (the default rules)
 * makes for that head in that state, else 0 — so a choice's effect where the rules choose it themselves is estimated
 * apart from its effect where they choose something else.
 */
export const STRATUM_TERM = effectContextSize;

/** Writes ψ(s) of a state vector into `out` at `offset` (positions a shorter vector lacks count as 0). */
export function effectContext(state: ArrayLike<number>, out: Float64Array, offset = 0): void {
  out[offset] = 1;
  for (let type = 0; type < taskTypes.length; type++) out[offset + 1 + type] = state[featureOffsets.taskType + type]!;
  const base = offset + 1 + taskTypes.length;
  out[base] = state[featureOffsets.complexity] ?? 0;
  out[base + 1] = state[featureOffsets.risk] ?? 0;
  out[base + 2] = state[featureOffsets.estimatedTime] ?? 0;
  out[base + 3] = state[featureOffsets.domainDiversity] ?? 0;
  out[base + 4] = state[featureOffsets.fileCount] ?? 0;
  out[base + 5] = state[featureOffsets.load] ?? 0;
}

/**
 * A sparse design row: the state part is dense (`stateFeatures` values), the effect part is ψ(s) repeated at the
 * block of every active head choice. `blocks` lists the block indices (offset + choice) in use; `stratumBlocks` the
 * blocks of the stratifier's action in this state (−1: none), where the stratum term is 1.
 */
export interface DesignRow {
  state: Float64Array;
  context: Float64Array;
  blocks: Int32Array;
  blockCount: number;
  stratumBlocks: Int32Array;
  /** Scratch of `fillState`: the stratifier's action as it takes effect. */
  stratumEffective: Int32Array;
  stratumMask: Uint8Array;
}

export function designRow(critic: { readonly stateFeatures: number; readonly effectFeatures: number }, headCount: number): DesignRow {
  return {
    state: new Float64Array(critic.stateFeatures),
    context: new Float64Array(critic.effectFeatures),
    blocks: new Int32Array(headCount),
    blockCount: 0,
    stratumBlocks: new Int32Array(headCount).fill(-1),
    stratumEffective: new Int32Array(headCount),
    stratumMask: new Uint8Array(0),
  };
}

/**
 * Sets the row's state; `stratum` is the stratifier's action in that state in `actionSpace` (encoded indices; absent:
 * no stratum term), read as it takes effect (`effectiveIndices`).
 */
export function fillState(row: DesignRow, state: ArrayLike<number>, stratum?: { readonly actionSpace: ActionSpace; readonly indices: ArrayLike<number> }): void {
  const size = row.state.length - 1;
  for (let index = 0; index < size; index++) row.state[index] = state[index]!;
  row.state[size] = 1;
  effectContext(state, row.context);
  row.stratumBlocks.fill(-1);
  if (stratum === undefined) return;
  const { actionSpace } = stratum;
  if (row.stratumMask.length === 0) row.stratumMask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  const effective = effectiveIndices(actionSpace, stratum.indices, row.stratumEffective, row.stratumMask);
  for (let head = 0; head < effective.length; head++) if (actionSpace.isHeadActive(head, effective)) row.stratumBlocks[head] = actionSpace.offsets[head]! + effective[head]!;
}

/** The value of the effect term `index` at `block` of the row: ψ(s)[index], or the block's own stratum term. */
export function blockContext(row: DesignRow, block: number, index: number): number {
  if (index !== STRATUM_TERM) return row.context[index]!;
  return row.stratumBlocks.includes(block) ? 1 : 0;
}

export function fillAction(row: DesignRow, actionSpace: ActionSpace, effective: Int32Array): void {
  row.blockCount = 0;
  for (let head = 0; head < effective.length; head++) {
    if (!actionSpace.isHeadActive(head, effective)) continue;
    row.blocks[row.blockCount++] = actionSpace.offsets[head]! + effective[head]!;
  }
}

/** Lower-triangular Cholesky factor of a symmetric positive definite `size × size` matrix, in place; returns false when not positive definite. */
export function cholesky(matrix: Float64Array, size: number): boolean {
  for (let column = 0; column < size; column++) {
    let diagonal = matrix[column * size + column]!;
    for (let k = 0; k < column; k++) diagonal -= matrix[column * size + k]! ** 2;
    if (!(diagonal > 0)) return false;
    const root = Math.sqrt(diagonal);
    matrix[column * size + column] = root;
    for (let row = column + 1; row < size; row++) {
      let value = matrix[row * size + column]!;
      for (let k = 0; k < column; k++) value -= matrix[row * size + k]! * matrix[column * size + k]!;
      matrix[row * size + column] = value / root;
    }
  }
  return true;
}

/** (L Lᵀ)⁻¹ from the Cholesky factor L (lower triangle of `factor`), as a full symmetric matrix. */
export function inverseFromCholesky(factor: Float64Array, size: number): Float64Array {
  // L⁻¹ by forward substitution, column by column, then (L⁻¹)ᵀ L⁻¹.
  const lowerInverse = new Float64Array(size * size);
  for (let column = 0; column < size; column++) {
    lowerInverse[column * size + column] = 1 / factor[column * size + column]!;
    for (let row = column + 1; row < size; row++) {
      let sum = 0;
      for (let k = column; k < row; k++) sum += factor[row * size + k]! * lowerInverse[k * size + column]!;
      lowerInverse[row * size + column] = -sum / factor[row * size + row]!;
    }
  }
  const inverse = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column <= row; column++) {
      let sum = 0;
      for (let k = row; k < size; k++) sum += lowerInverse[k * size + row]! * lowerInverse[k * size + column]!;
      inverse[row * size + column] = sum;
      inverse[column * size + row] = sum;
    }
  }
  return inverse;
}
