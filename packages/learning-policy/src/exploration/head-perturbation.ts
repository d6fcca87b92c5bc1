import { actionHeadNames, type ActionHeadName, type ActionSpace, type RandomSource } from '@orchestra/learning-features';
import { ValidationError } from '@orchestra/learning-types';
import { canonicalizeIndices, firstDifferentHead } from '../safety/action-indices';
import type { SafetyGuard } from '../safety/safety-guard';

/**
 * Relative weights of exploration's alternatives: per head name, per choice label (a model id, an approach, a team
 * like `architect+auditor`, a timeout bin …), a weight in [`MIN_EXPLORATION_WEIGHT`, 1]. A choice not named weighs 1.
 * A trainer derives them from its critic (the trainer package's `explorationWeightsOf`): choices likely
 * to beat what the policy does now are tried more often, ones clearly worse less, none never.
 */
export type ExplorationWeights = Partial<Record<ActionHeadName, Readonly<Record<string, number>>>>;

/** The smallest exploration weight accepted: every alternative keeps at least this share of a weight-1 one's draws. */
export const MIN_EXPLORATION_WEIGHT = 0.01;

/**
 * Per head position, each choice's weight (1 where `weights` names none). Throws `ValidationError` naming the first
 * unknown head or choice, or a weight outside [`MIN_EXPLORATION_WEIGHT`, 1].
 */
export function resolveExplorationWeights(space: ActionSpace, weights: ExplorationWeights): Float64Array[] {
  const resolved = space.heads.map((head) => new Float64Array(head.size).fill(1));
  const fail = (path: string, message: string, value: unknown): never => {
    throw new ValidationError({ what: 'ExplorationWeights', issues: [{ path, message }], value });
  };
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) fail('', 'must be an object of heads', weights);
  for (const [name, choices] of Object.entries(weights)) {
    const head = (actionHeadNames as readonly string[]).indexOf(name);
    if (head < 0) fail(name, `no such head (one of ${actionHeadNames.join(', ')})`, name);
    if (typeof choices !== 'object' || choices === null || Array.isArray(choices)) fail(name, 'must be an object of choice → weight', choices);
    const labels = space.heads[head]!.labels;
    for (const [label, weight] of Object.entries(choices as Record<string, unknown>)) {
      const choice = labels.indexOf(label);
      if (choice < 0) fail(`${name}.${label}`, `no such choice of ${name} in this action space`, label);
      if (typeof weight !== 'number' || !(weight >= MIN_EXPLORATION_WEIGHT && weight <= 1)) {
        fail(`${name}.${label}`, `must be a number in [${MIN_EXPLORATION_WEIGHT}, 1]`, weight);
      }
      resolved[head]![choice] = weight as number;
    }
  }
  return resolved;
}

/**
 * ε-exploration that stays inside the safety constraints and has exact propensities.
 *
 * With probability 1 − ε the base action (the rules' or the model's argmax) is kept. With probability ε one
 * *alternative* is drawn uniformly from all of them: an alternative is a head active in the base and a choice of it,
 * other than the base's, that the guard allows there (given the earlier heads). Later heads that the change makes
 * invalid (parallelism after a non-parallel approach) are adjusted to their nearest allowed choice, and roles that
 * join the team keep the model the base names for them. So an explored action differs from the base in one decision
 * (plus forced adjustments), is always safe, and its probability is known exactly:
 *
 * - the base action: 1 − ε (1 when no head has an alternative);
 * - the action made by alternative (d, c), d its first differing head: ε · w(d, c) / W; any other action: 0
 *
 * with w the alternatives' weights (`setWeights`; all 1 by default, so ε / A with A the number of alternatives of the
 * base) and W their sum over the base's alternatives.
 *
 * Why alternatives and not heads: the critic learns the effect of each choice, so what limits it is the evidence per
 * choice. Drawing a head first and then a choice of it gives a head of 8 choices (the team) a third of the samples
 * per choice that a head of 3 gets, and spends about a third of the explored sessions redrawing the base's own
 * choice (a head whose only allowed choice is the base's, as parallelism is for a non-parallel approach, every time).
 */
export class HeadPerturbation {
  readonly #guard: SafetyGuard;
  /** 1 for a head whose choices exploration may change (every head unless the constructor names some). */
  readonly #explores: Uint8Array;
  readonly #allowed: Uint8Array;
  readonly #canonicalBase: Int32Array;
  readonly #candidate: Int32Array;
  /** Per head, each choice's weight; null: every alternative weighs 1 (uniform). */
  #weights: Float64Array[] | null = null;

  /**
   * `heads`: the positions of the heads exploration may change (default: all). Restricting them spends every explored
   * session on decisions whose effect can be observed (a replay of an outcome table reveals only the models run).
   */
  constructor(guard: SafetyGuard, heads?: readonly number[]) {
    this.#guard = guard;
    const space = guard.space;
    this.#explores = new Uint8Array(space.heads.length).fill(heads === undefined ? 1 : 0);
    for (const head of heads ?? []) {
      if (!Number.isInteger(head) || head < 0 || head >= space.heads.length) throw new RangeError(`HeadPerturbation: no head at position ${head}`);
      this.#explores[head] = 1;
    }
    this.#allowed = new Uint8Array(Math.max(...space.heads.map((head) => head.size)));
    this.#canonicalBase = new Int32Array(space.heads.length);
    this.#candidate = new Int32Array(space.heads.length);
  }

  /**
   * Weights the alternatives (null: uniform again). Validated as a whole before anything changes (`ValidationError`).
   * Propensities of later decisions use the new weights; logged ones stay what they were.
   */
  setWeights(weights: ExplorationWeights | null): void {
    this.#weights = weights === null ? null : resolveExplorationWeights(this.#guard.space, weights);
  }

  /** The weights in force as head name → choice label → weight (only choices that differ from 1), or null. */
  get weights(): ExplorationWeights | null {
    const weights = this.#weights;
    if (weights === null) return null;
    const space = this.#guard.space;
    const out: Record<string, Record<string, number>> = {};
    weights.forEach((row, head) => {
      row.forEach((weight, choice) => {
        if (weight !== 1) (out[space.heads[head]!.name] ??= {})[space.heads[head]!.labels[choice]!] = weight;
      });
    });
    return out as ExplorationWeights;
  }

  /**
   * Writes the explored action (canonical indices) into `out`; returns true when it explored (the action then
   * differs from the base). `base` must be safe and may name models for roles outside its team (used when
   * exploration adds them).
   */
  perturb(base: Int32Array, active: number, epsilon: number, random: RandomSource, out: Int32Array): boolean {
    out.set(base);
    if (!(epsilon > 0) || random.next() >= epsilon) {
      canonicalizeIndices(this.#guard.space, out);
      return false;
    }
    const explored = this.#redraw(base, active, random, out);
    canonicalizeIndices(this.#guard.space, out);
    return explored;
  }

  /** Applies an alternative drawn in proportion to its weight (one draw of `random`); false when the base has none. */
  #redraw(base: Int32Array, active: number, random: RandomSource, out: Int32Array): boolean {
    const total = this.#alternatives(base, active);
    if (total === 0) return false;
    const weights = this.#weights;
    // Uniform: the nth alternative; weighted: the alternative whose cumulative weight first exceeds the draw.
    let remaining = weights === null ? Math.min(total - 1, Math.floor(random.next() * total)) : random.next() * total;
    const space = this.#guard.space;
    const allowed = this.#allowed;
    let last = -1;
    let lastChoice = -1;
    for (let head = 0; head < space.heads.length; head += 1) {
      if (this.#explores[head] !== 1 || !space.isHeadActive(head, base)) continue;
      const mass = this.#alternativesOf(head, base, active);
      if (mass === 0) continue;
      if (remaining >= mass) {
        remaining -= mass;
        last = head;
        continue;
      }
      for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
        if (allowed[choice] !== 1 || choice === base[head]) continue;
        const weight = weights === null ? 1 : weights[head]![choice]!;
        if (remaining < weight) {
          out[head] = choice;
          this.#guard.repair(out, active, { silent: true });
          return true;
        }
        remaining -= weight;
        lastChoice = choice;
      }
      out[head] = lastChoice;
      this.#guard.repair(out, active, { silent: true });
      return true;
    }
    // Floating-point slack of a weighted draw past the end: the last alternative of the last head with any takes it.
    if (last < 0) return false;
    this.#alternativesOf(last, base, active);
    out[last] = this.#lastAlternative(last, base);
    this.#guard.repair(out, active, { silent: true });
    return true;
  }

  /** The last allowed choice of `head` other than the base's, with the mask of `#alternativesOf` in `#allowed`. */
  #lastAlternative(head: number, base: Int32Array): number {
    for (let choice = this.#guard.space.heads[head]!.size - 1; choice >= 0; choice -= 1) {
      if (this.#allowed[choice] === 1 && choice !== base[head]) return choice;
    }
    return -1;
  }

  /**
   * W: the summed weight (uniform: the number) of (active head, allowed choice other than the base's) pairs of a safe
   * base; with `atMostOne`, positive as soon as one exists (what the base action's probability needs: a mask or two
   * instead of one per head).
   */
  #alternatives(base: Int32Array, active: number, atMostOne = false): number {
    const space = this.#guard.space;
    let alternatives = 0;
    for (let head = 0; head < space.heads.length; head += 1) {
      if (this.#explores[head] !== 1 || !space.isHeadActive(head, base)) continue;
      alternatives += this.#alternativesOf(head, base, active);
      if (atMostOne && alternatives > 0) return 1;
    }
    return alternatives;
  }

  /** The allowed choices of `head` other than the base's, counted or weighed; leaves the mask in `#allowed`. */
  #alternativesOf(head: number, base: Int32Array, active: number): number {
    const count = this.#guard.allowedChoices(head, base, active, this.#allowed);
    const weights = this.#weights?.[head];
    if (weights === undefined) return this.#allowed[base[head]!] === 1 ? count - 1 : count;
    let mass = 0;
    for (let choice = 0; choice < weights.length; choice += 1) {
      if (this.#allowed[choice] === 1 && choice !== base[head]) mass += weights[choice]!;
    }
    return mass;
  }

  /** The exact probability that `perturb(base, …, epsilon)` yields the canonical action `chosen`. */
  probability(base: Int32Array, chosen: ArrayLike<number>, active: number, epsilon: number): number {
    const space = this.#guard.space;
    const canonicalBase = this.#canonicalBase;
    canonicalBase.set(base);
    canonicalizeIndices(space, canonicalBase);
    const different = firstDifferentHead(space, canonicalBase, chosen);
    const explore = epsilon > 0 ? epsilon : 0;
    if (explore === 0) return different < 0 ? 1 : 0;
    if (different < 0) return this.#alternatives(base, active, true) === 0 ? 1 : 1 - explore;
    if (this.#explores[different] !== 1 || !space.isHeadActive(different, base)) return 0;
    this.#guard.allowedChoices(different, base, active, this.#allowed);
    const choice = chosen[different]!;
    if (this.#allowed[choice] !== 1 || choice === base[different]) return 0;
    const candidate = this.#candidate;
    candidate.set(base);
    candidate[different] = choice;
    this.#guard.repair(candidate, active, { silent: true });
    canonicalizeIndices(space, candidate);
    if (firstDifferentHead(space, candidate, chosen) >= 0) return 0;
    const weight = this.#weights === null ? 1 : this.#weights[different]![choice]!;
    return (explore * weight) / this.#alternatives(base, active);
  }
}
