import type { ModelCatalog } from '@orchestra/learning-features';
import { DEFAULT_COST_WEIGHT, costWeightSchema, validate } from '@orchestra/learning-types';
import { z } from 'zod';
import type { PolicyInput } from '../policy';

/**
 * The cost weight of a decision: `input.costWeight`, or `DEFAULT_COST_WEIGHT` (1) when absent. Throws
 * `ValidationError` (`Invalid PolicyInput: costWeight: must be a finite number ≥ 0 …`) for a negative or non-finite one.
 */
export function costWeightOf(input: Pick<PolicyInput, 'costWeight'>): number {
  const weight = input.costWeight;
  if (weight === undefined) return DEFAULT_COST_WEIGHT;
  if (weight >= 0 && weight < Number.POSITIVE_INFINITY) return weight;
  return validate(z.object({ costWeight: costWeightSchema }), { costWeight: weight }, 'PolicyInput').costWeight;
}

/** A catalog's models ordered by price (input + output per 1k tokens), cheapest first: the rules' knob moves along it. */
export interface PriceLadder {
  /** Model indices (catalog order) from the cheapest to the most expensive; equal prices keep the catalog order. */
  readonly order: readonly number[];
  /**
   * Rungs to move for a cost weight: round(log2 w), positive = cheaper (w = 2: one rung down, 4: two, 0.5: one up),
   * 0 for w in [2^-½, 2^½) (the default 1 changes nothing), −∞ for w = 0 (cost ignored: the most expensive model).
   */
  stepsFor(costWeight: number): number;
  /** The model `steps` rungs cheaper than `modelIndex` (negative: dearer), clamped to the ladder. */
  move(modelIndex: number, steps: number): number;
}

/** The price ladder of `catalog` (see `PriceLadder`). */
export function priceLadder(catalog: ModelCatalog): PriceLadder {
  const price = catalog.models.map((model) => model.inputPricePer1kTokens + model.outputPricePer1kTokens);
  const order = catalog.models.map((_, index) => index).sort((a, b) => price[a]! - price[b]! || a - b);
  const rung = new Int32Array(catalog.models.length);
  order.forEach((modelIndex, position) => {
    rung[modelIndex] = position;
  });
  const top = order.length - 1;
  return {
    order,
    stepsFor(costWeight: number): number {
      if (costWeight === 0) return Number.NEGATIVE_INFINITY;
      const steps = Math.round(Math.log2(costWeight));
      return steps === 0 ? 0 : steps;
    },
    move(modelIndex: number, steps: number): number {
      if (steps === 0) return modelIndex;
      if (steps === Number.NEGATIVE_INFINITY) return order[top]!;
      if (steps === Number.POSITIVE_INFINITY) return order[0]!;
      const target = Math.min(top, Math.max(0, rung[modelIndex]! - steps));
      return order[target]!;
    },
  };
}
