import type { RandomSource } from '@orchestra/learning-features';
import { canonicalizeIndices, firstDifferentHead } from '../safety/action-indices';
import type { SafetyGuard } from '../safety/safety-guard';

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
 * - the action made by alternative (d, c), d its first differing head: ε / A; any other action: 0
 *
 * with A the number of alternatives of the base.
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

  /** Applies the alternative drawn uniformly (one draw of `random`); false when the base has none. */
  #redraw(base: Int32Array, active: number, random: RandomSource, out: Int32Array): boolean {
    const alternatives = this.#alternatives(base, active);
    if (alternatives === 0) return false;
    let nth = Math.min(alternatives - 1, Math.floor(random.next() * alternatives));
    const space = this.#guard.space;
    const allowed = this.#allowed;
    for (let head = 0; head < space.heads.length; head += 1) {
      if (this.#explores[head] !== 1 || !space.isHeadActive(head, base)) continue;
      const count = this.#alternativesOf(head, base, active);
      if (nth >= count) {
        nth -= count;
        continue;
      }
      for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
        if (allowed[choice] !== 1 || choice === base[head]) continue;
        if (nth === 0) {
          out[head] = choice;
          break;
        }
        nth -= 1;
      }
      this.#guard.repair(out, active, { silent: true });
      return true;
    }
    return false;
  }

  /**
   * A: the number of (active head, allowed choice other than the base's) pairs of a safe base; with `atMostOne`, 1
   * as soon as one exists (what the base action's probability needs: a mask or two instead of one per head).
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

  /** The allowed choices of `head` other than the base's; leaves the mask in `#allowed`. */
  #alternativesOf(head: number, base: Int32Array, active: number): number {
    const count = this.#guard.allowedChoices(head, base, active, this.#allowed);
    return this.#allowed[base[head]!] === 1 ? count - 1 : count;
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
    return explore / this.#alternatives(base, active);
  }
}
