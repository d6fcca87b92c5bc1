import { actionHeadNames, actionHeads, type ActionHeadName, type ActionSpace, type RandomSource } from '@orchestra/learning-features';
import { approaches, ValidationError } from '@orchestra/learning-types';
import { canonicalizeIndices, firstDifferentHead } from '../safety/action-indices';
import type { SafetyGuard } from '../safety/safety-guard';

/**
 * Relative weights of exploration's alternatives: per head name, per choice label (a model id, an approach, a team
 * like `architect+auditor`, a timeout bin …), a weight in [`MIN_EXPLORATION_WEIGHT`, 1]. A choice not named weighs 1.
 * A trainer derives them from its critic (the trainer package's `explorationWeightsOf`): choices likely
 * to beat what the policy does now are tried more often, ones clearly worse less, none never.
 */
export type ExplorationWeights = Partial<Record<ActionHeadName, Readonly<Record<string, number>>>>;

/** Approach indices of the action space: `direct` runs the executor alone; a team alternative of it runs `sequential`. */
const DIRECT = approaches.indexOf('direct');
const SEQUENTIAL = approaches.indexOf('sequential');

/** The smallest exploration weight accepted: every alternative keeps at least this share of a weight-1 one's draws. */
export const MIN_EXPLORATION_WEIGHT = 0.01;

/**
 * How an explored session departs from the base action. `share` of the explored sessions are *factorial*: every
 * active head, in decision order, independently moves to one of its alternatives with probability `switchProbability`
 * (so an explored action changes about `switchProbability` × the heads with alternatives at once); the rest draw
 * one alternative (the default, `share` 0). A factorial session informs several choices' effects at once, which is
 * what a critic factorised over the heads learns from; it also departs further from the base, so it costs more.
 */
export interface ExplorationDesign {
  /** Share of the explored sessions that are factorial, in [0, 1] (0: one alternative each, the default). */
  readonly share: number;
  /** A head's probability of moving in a factorial session, in (0, 1]. */
  readonly switchProbability: number;
}

/** The default design: every explored session draws one alternative. */
export const ONE_ALTERNATIVE: ExplorationDesign = Object.freeze({ share: 0, switchProbability: 0.3 });

/** Checks a design (`RangeError` naming the bad field). */
export function checkExplorationDesign(design: ExplorationDesign): ExplorationDesign {
  if (typeof design !== 'object' || design === null) throw new RangeError(`ExplorationDesign: expected { share, switchProbability }, got ${String(design)}`);
  if (!(design.share >= 0 && design.share <= 1)) throw new RangeError(`ExplorationDesign.share must be in [0, 1], got ${design.share}`);
  if (!(design.switchProbability > 0 && design.switchProbability <= 1)) {
    throw new RangeError(`ExplorationDesign.switchProbability must be in (0, 1], got ${design.switchProbability}`);
  }
  return Object.freeze({ share: design.share, switchProbability: design.switchProbability });
}

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
 * With probability 1 − ε the base action (the rules' or the model's argmax) is kept. With probability ε · (1 − s)
 * (s the design's factorial `share`, 0 by default) one *alternative* is drawn uniformly from all of them: an
 * alternative is a head active in the base and a choice of it, other than the base's, that the guard allows there
 * (given the earlier heads). Later heads that the change makes invalid (parallelism after a non-parallel approach)
 * are adjusted to their nearest allowed choice, and roles that join the team keep the model the base names for them.
 * So an explored action differs from the base in one decision (plus forced adjustments), is always safe, and its
 * probability is known exactly:
 *
 * - the base action: 1 − ε (1 when no head has an alternative);
 * - the action made by alternative (d, c): ε · w(d, c) / W; any other action: 0
 *
 * with w the alternatives' weights (`setWeights`; all 1 by default, so ε / A with A the number of alternatives of the
 * base) and W their sum over the base's alternatives.
 *
 * With probability ε · s the session is *factorial* (`ExplorationDesign`): heads are decided in order; each head's
 * anchor is the base's choice, or where the earlier heads now forbid it the choice the guard repairs it to; a head
 * with alternatives moves off its anchor with probability q (`switchProbability`) to an allowed choice drawn in
 * proportion to its weight. The action's probability is the product over its active heads of (1 − q) for a head
 * left at its anchor and q · w / W_h for a moved one (1 for a head without alternatives), added to the two terms
 * above.
 *
 * A `direct` session runs the executor alone, so a team alternative of a `direct` base would be the base action
 * under another name. Such an alternative (team, c) instead runs team c `sequential`ly: one alternative that moves the
 * approach with the team (where the guard allows `sequential` there). It is the only way one alternative reaches a
 * team that acts from a `direct` base, and a critic learns from it what a reviewer or a planner adds to the tasks the
 * base runs alone. Its action differs from the base first at the approach; it is told apart from the approach
 * alternative `sequential` (which keeps the base's team) by its team, so every action still has one alternative
 * that makes it. (A factorial walk still moves the team of a `direct` base alone.)
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
  readonly #design: ExplorationDesign;
  readonly #walk: Int32Array;
  readonly #repaired: Int32Array;
  /** A `direct` base with the approach moved to `sequential`: where a team alternative of a direct base is drawn. */
  readonly #lifted: Int32Array;
  readonly #approachMask: Uint8Array;

  /**
   * `heads`: the positions of the heads exploration may change (default: all). Restricting them spends every explored
   * session on decisions whose effect can be observed (a replay of an outcome table reveals only the models run).
   */
  constructor(guard: SafetyGuard, heads?: readonly number[], design: ExplorationDesign = ONE_ALTERNATIVE) {
    this.#guard = guard;
    this.#design = checkExplorationDesign(design);
    const space = guard.space;
    this.#explores = new Uint8Array(space.heads.length).fill(heads === undefined ? 1 : 0);
    for (const head of heads ?? []) {
      if (!Number.isInteger(head) || head < 0 || head >= space.heads.length) throw new RangeError(`HeadPerturbation: no head at position ${head}`);
      this.#explores[head] = 1;
    }
    this.#allowed = new Uint8Array(Math.max(...space.heads.map((head) => head.size)));
    this.#canonicalBase = new Int32Array(space.heads.length);
    this.#candidate = new Int32Array(space.heads.length);
    this.#walk = new Int32Array(space.heads.length);
    this.#repaired = new Int32Array(space.heads.length);
    this.#lifted = new Int32Array(space.heads.length);
    this.#approachMask = new Uint8Array(space.heads[actionHeads.approach]!.size);
  }

  /**
   * Where the alternatives of `head` are drawn from: `base`, or for the team of a `direct` base the base run
   * `sequential`ly (`#lifted`, see the class comment); null when that head has none there (the guard forbids
   * `sequential`).
   */
  #originOf(head: number, base: Int32Array, active: number): Int32Array | null {
    if (head !== actionHeads.team || base[actionHeads.approach] !== DIRECT) return base;
    if (this.#guard.allowedChoices(actionHeads.approach, base, active, this.#approachMask) === 0 || this.#approachMask[SEQUENTIAL] !== 1) return null;
    const lifted = this.#lifted;
    lifted.set(base);
    lifted[actionHeads.approach] = SEQUENTIAL;
    return lifted;
  }

  /** The exploration design in force. */
  get design(): ExplorationDesign {
    return this.#design;
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
    const share = this.#design.share;
    const factorial = share > 0 && (share >= 1 || random.next() < share);
    const explored = factorial ? this.#factorial(base, active, random, out) : this.#redraw(base, active, random, out);
    canonicalizeIndices(this.#guard.space, out);
    return explored;
  }

  /**
   * A factorial draw into `out` (which holds `base`): head by head, the anchor (see `#anchor`), moved off with the
   * design's switch probability to an alternative drawn by weight. Returns whether any head moved.
   */
  #factorial(base: Int32Array, active: number, random: RandomSource, out: Int32Array): boolean {
    const space = this.#guard.space;
    const switchProbability = this.#design.switchProbability;
    const allowed = this.#allowed;
    let moved = false;
    for (let head = 0; head < space.heads.length; head += 1) {
      if (!space.isHeadActive(head, out)) continue;
      const anchor = this.#anchor(head, base, active, out);
      out[head] = anchor;
      if (this.#explores[head] !== 1) continue;
      const mass = this.#massBesides(head, anchor);
      if (mass === 0 || random.next() >= switchProbability) continue;
      let remaining = this.#weights === null ? Math.floor(random.next() * mass) : random.next() * mass;
      let last = -1;
      for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
        if (allowed[choice] !== 1 || choice === anchor) continue;
        last = choice;
        const weight = this.#weights === null ? 1 : this.#weights[head]![choice]!;
        if (remaining < weight) break;
        remaining -= weight;
      }
      out[head] = last;
      moved = true;
    }
    return moved;
  }

  /**
   * The anchor of `head` in a factorial walk whose earlier heads are those of `prefix` (its later heads still the
   * base's): the base's choice where allowed, else the choice the guard repairs it to. Leaves the head's mask (given
   * the prefix) in `#allowed`.
   */
  #anchor(head: number, base: Int32Array, active: number, prefix: Int32Array): number {
    this.#guard.allowedChoices(head, prefix, active, this.#allowed);
    if (this.#allowed[base[head]!] === 1) return base[head]!;
    const repaired = this.#repaired;
    repaired.set(prefix);
    repaired[head] = base[head]!;
    this.#guard.repair(repaired, active, { silent: true });
    this.#guard.allowedChoices(head, prefix, active, this.#allowed);
    return repaired[head]!;
  }

  /** The summed weight (uniform: the number) of the allowed choices of `head` other than `anchor`, mask in `#allowed`. */
  #massBesides(head: number, anchor: number): number {
    const weights = this.#weights?.[head];
    let mass = 0;
    for (let choice = 0; choice < this.#guard.space.heads[head]!.size; choice += 1) {
      if (this.#allowed[choice] === 1 && choice !== anchor) mass += weights === undefined ? 1 : weights[choice]!;
    }
    return mass;
  }

  /** The probability that a factorial draw from `base` yields the canonical action `chosen`. */
  #factorialProbability(base: Int32Array, chosen: ArrayLike<number>, active: number): number {
    const space = this.#guard.space;
    const switchProbability = this.#design.switchProbability;
    const walk = this.#walk;
    walk.set(base);
    let probability = 1;
    for (let head = 0; head < space.heads.length; head += 1) {
      // The team head precedes the model heads, so whether a head is active is the chosen action's already.
      if (!space.isHeadActive(head, walk)) continue;
      const anchor = this.#anchor(head, base, active, walk);
      const choice = chosen[head]!;
      if (this.#explores[head] !== 1) {
        if (choice !== anchor) return 0;
        walk[head] = choice;
        continue;
      }
      const mass = this.#massBesides(head, anchor);
      if (choice === anchor) probability *= mass === 0 ? 1 : 1 - switchProbability;
      else if (this.#allowed[choice] === 1) probability *= (switchProbability * (this.#weights === null ? 1 : this.#weights[head]![choice]!)) / mass;
      else return 0;
      walk[head] = choice;
    }
    return probability;
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
        if (remaining < weight) return this.#apply(head, choice, base, active, out);
        remaining -= weight;
        lastChoice = choice;
      }
      return this.#apply(head, lastChoice, base, active, out);
    }
    // Floating-point slack of a weighted draw past the end: the last alternative of the last head with any takes it.
    if (last < 0) return false;
    this.#alternativesOf(last, base, active);
    return this.#apply(last, this.#lastAlternative(last, base), base, active, out);
  }

  /** Writes alternative (`head`, `choice`) of `base` into `out` (which holds `base`), repaired by the guard. */
  #apply(head: number, choice: number, base: Int32Array, active: number, out: Int32Array): true {
    const origin = this.#originOf(head, base, active);
    if (origin !== null && origin !== base) out.set(origin);
    out[head] = choice;
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

  /**
   * The allowed choices of `head` other than the base's (for the team of a `direct` base, allowed when run
   * `sequential`ly), counted or weighed; leaves the mask in `#allowed`.
   */
  #alternativesOf(head: number, base: Int32Array, active: number): number {
    const origin = this.#originOf(head, base, active);
    if (origin === null) return 0;
    const count = this.#guard.allowedChoices(head, origin, active, this.#allowed);
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
    const share = this.#design.share;
    const factorial = share > 0 ? explore * share * this.#factorialProbability(base, chosen, active) : 0;
    if (different < 0) return this.#alternatives(base, active, true) === 0 ? 1 : 1 - explore + factorial;
    return factorial + this.#oneAlternativeProbability(base, chosen, active, explore * (1 - share), different);
  }

  /**
   * The probability that the one-alternative draw (taken with probability `explore`) yields `chosen`, which differs
   * from the base first at `firstDifferent`: the alternative of that head, plus (from a `direct` base to a
   * `sequential` action) the team alternative of the chosen team.
   */
  #oneAlternativeProbability(base: Int32Array, chosen: ArrayLike<number>, active: number, explore: number, firstDifferent: number): number {
    if (explore === 0) return 0;
    let weight = this.#alternativeWeight(firstDifferent, base, chosen, active);
    const approach = actionHeads.approach;
    if (firstDifferent === approach && base[approach] === DIRECT && chosen[approach] === SEQUENTIAL) weight += this.#alternativeWeight(actionHeads.team, base, chosen, active);
    return weight === 0 ? 0 : (explore * weight) / this.#alternatives(base, active);
  }

  /** The weight (uniform: 1) of alternative (`head`, `chosen[head]`) of `base` when it yields `chosen`, else 0. */
  #alternativeWeight(head: number, base: Int32Array, chosen: ArrayLike<number>, active: number): number {
    const space = this.#guard.space;
    if (this.#explores[head] !== 1 || !space.isHeadActive(head, base)) return 0;
    if (this.#alternativesOf(head, base, active) === 0) return 0;
    const choice = chosen[head]!;
    if (this.#allowed[choice] !== 1 || choice === base[head]) return 0;
    const candidate = this.#candidate;
    candidate.set(base);
    this.#apply(head, choice, base, active, candidate);
    canonicalizeIndices(space, candidate);
    if (firstDifferentHead(space, candidate, chosen) >= 0) return 0;
    return this.#weights === null ? 1 : this.#weights[head]![choice]!;
  }
}
