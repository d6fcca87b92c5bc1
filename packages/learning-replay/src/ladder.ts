import type { Action, ModelCatalog } from '@orchestra/learning-types';
import type { ReplayTable } from './replay-table';

/** A model ladder: model indices (into the table's models) tried in order, the next only when the previous failed. */
export type Ladder = readonly number[];

const tierRank = { cheap: 0, mid: 1, expensive: 2 } as const;

/**
 * The fallback order of a catalog: by tier (cheap → mid → expensive), then catalog order — the order
 * `@orchestra/learning-ai-sdk` rotates through under the `fallback` retry strategy when no `ladder` is given.
 * Returns model indices.
 */
export function fallbackOrder(catalog: ModelCatalog): number[] {
  return catalog.models
    .map((model, index) => ({ index, rank: tierRank[model.tier] }))
    .sort((left, right) => left.rank - right.rank || left.index - right.index)
    .map((entry) => entry.index);
}

/**
 * The ladder an action runs, as the product runs it: the executor's model first; under retry strategy `fallback`
 * the orchestrator rotates to the next model of the fallback order not yet tried (cyclically from the executor's
 * position), at most `maxLadder − 1` times; `fail_fast` and `retry_with_backoff` keep the one model (retrying the
 * same model on a recorded table reveals the same outcome, so it adds nothing).
 */
export function ladderOfAction(action: Action, catalog: ModelCatalog, order: readonly number[], maxLadder: number): number[] {
  const executor = catalog.models.findIndex((model) => model.id === action.models.executor);
  if (executor < 0) throw new RangeError(`ladderOfAction: executor model ${JSON.stringify(action.models.executor)} is not in the catalog`);
  const ladder = [executor];
  if (action.retryStrategy !== 'fallback') return ladder;
  const start = order.indexOf(executor);
  for (let offset = 1; offset < order.length && ladder.length < maxLadder; offset += 1) ladder.push(order[(start + offset) % order.length]!);
  return ladder;
}

/** Expected success and cost of a ladder on one task. */
export interface LadderOutcome {
  /** Probability that some rung succeeds. */
  success: number;
  /** Expected USD spent: a rung is paid only when every earlier rung failed. */
  costUsd: number;
}

/**
 * The exact expectation of running `ladder` on task `task` of the table (full information): rung k runs with the
 * probability that rungs 0..k−1 all failed. A model the table has no outcome for on this task is skipped.
 */
export function ladderOutcome(table: ReplayTable, task: number, ladder: Ladder, out: LadderOutcome = { success: 0, costUsd: 0 }): LadderOutcome {
  const models = table.modelIds.length;
  let reach = 1;
  let success = 0;
  let cost = 0;
  for (const model of ladder) {
    const cell = task * models + model;
    const probability = table.success[cell]!;
    if (Number.isNaN(probability)) continue;
    cost += reach * table.costUsd[cell]!;
    success += reach * probability;
    reach *= 1 - probability;
    if (reach === 0) break;
  }
  out.success = success;
  out.costUsd = cost;
  return out;
}

/** Every ladder of 1..`maxLadder` distinct models out of `modelCount` (ordered), shortest first. */
export function allLadders(modelCount: number, maxLadder: number): number[][] {
  const ladders: number[][] = [];
  const grow = (prefix: number[]) => {
    if (prefix.length > 0) ladders.push(prefix);
    if (prefix.length === maxLadder) return;
    for (let model = 0; model < modelCount; model += 1) if (!prefix.includes(model)) grow([...prefix, model]);
  };
  grow([]);
  return ladders.sort((left, right) => left.length - right.length);
}

/**
 * The ladders the action space expresses: every single model (`fail_fast`), and from every model the rotation of the
 * fallback order `ladderOfAction` runs under `fallback` (when it is longer than one model).
 */
export function expressibleLadders(order: readonly number[], maxLadder: number): number[][] {
  const ladders: number[][] = order.map((model) => [model]);
  if (maxLadder < 2 || order.length < 2) return ladders;
  for (let start = 0; start < order.length; start += 1) {
    const ladder: number[] = [];
    for (let offset = 0; offset < Math.min(maxLadder, order.length); offset += 1) ladder.push(order[(start + offset) % order.length]!);
    ladders.push(ladder);
  }
  return ladders;
}
