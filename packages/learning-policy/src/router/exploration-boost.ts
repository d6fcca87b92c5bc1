import { validate } from '@orchestra/learning-types';
import { z } from 'zod';
import type { PolicyInput } from '../policy';
import type { RulesPolicy } from '../rules/rules-policy';

const epsilonSchema = z.number().min(0).max(1);

/**
 * More rules exploration for decisions whose greedy action gives one of some models a role (a model whose
 * behaviour changed is learned faster): the router's `setExplorationBoost`.
 */
export class ExplorationBoost {
  readonly #rules: RulesPolicy;
  #boost: { models: Set<string>; epsilon: number } | null = null;

  constructor(rules: RulesPolicy) {
    this.#rules = rules;
  }

  /** Boosts `models` to `epsilon` (validated, 0..1); null or no models ends the boost. */
  set(boost: { models: readonly string[]; epsilon: number } | null): void {
    if (boost === null || boost.models.length === 0) {
      this.#boost = null;
      return;
    }
    const epsilon = validate(epsilonSchema, boost.epsilon, 'explorationBoost.epsilon');
    this.#boost = { models: new Set(boost.models), epsilon };
  }

  /** The boost in force, or null. */
  get current(): { models: string[]; epsilon: number } | null {
    return this.#boost === null ? null : { models: [...this.#boost.models], epsilon: this.#boost.epsilon };
  }

  /**
   * The rules' ε for this input: the mode's, raised to the boost's when the rules' greedy action gives a boosted
   * model a role. A function of the input alone, so the logged propensity (and `probabilityOf`) stay exact.
   */
  epsilonFor(input: PolicyInput, base: number): number {
    const boost = this.#boost;
    if (boost === null || !(boost.epsilon > base)) return base;
    const space = this.#rules.guard.space;
    const greedy = this.#rules.greedyIndices(input);
    for (let head = 0; head < space.heads.length; head += 1) {
      const spec = space.heads[head]!;
      if (!spec.name.startsWith('model_') || !space.isHeadActive(head, greedy)) continue;
      if (boost.models.has(spec.labels[greedy[head]!]!)) return boost.epsilon;
    }
    return base;
  }
}
