import type { RandomSource } from '@orchestra/learning-features';
import { canonicalizeIndices, firstDifferentHead } from '../safety/action-indices';
import type { SafetyGuard } from '../safety/safety-guard';

/**
 * ε-exploration that stays inside the safety constraints and has exact propensities.
 *
 * With probability 1 − ε the base action (the rules' or the model's argmax) is kept. With probability ε one head
 * is drawn uniformly from the heads active in the base, and its choice is redrawn uniformly from the choices the
 * guard allows there (given the earlier heads); later heads that the change makes invalid (parallelism after a
 * non-parallel approach) are adjusted to their nearest allowed choice, and roles that join the team keep the model
 * the base names for them. So an explored action differs from the base in one decision (plus forced
 * adjustments), is always safe, and its probability is known exactly:
 *
 * - the base action: (1 − ε) + ε · (1/H) · Σ_h 1/n_h  (redrawing a head can give back its base choice)
 * - an action whose first differing head is d: ε · (1/H) · (1/n_d) if redrawing d reproduces it, else 0
 *
 * with H the number of active heads of the base and n_h the number of allowed choices of head h.
 */
export class HeadPerturbation {
  readonly #guard: SafetyGuard;
  readonly #allowed: Uint8Array;
  readonly #canonicalBase: Int32Array;
  readonly #candidate: Int32Array;

  constructor(guard: SafetyGuard) {
    this.#guard = guard;
    const space = guard.space;
    this.#allowed = new Uint8Array(Math.max(...space.heads.map((head) => head.size)));
    this.#canonicalBase = new Int32Array(space.heads.length);
    this.#candidate = new Int32Array(space.heads.length);
  }

  /**
   * Writes the explored action (canonical indices) into `out`; returns true when it explored. `base` must be safe
   * and may name models for roles outside its team (used when exploration adds them).
   */
  perturb(base: Int32Array, active: number, epsilon: number, random: RandomSource, out: Int32Array): boolean {
    out.set(base);
    if (!(epsilon > 0) || random.next() >= epsilon) {
      canonicalizeIndices(this.#guard.space, out);
      return false;
    }
    this.#redraw(base, active, random, out);
    return true;
  }

  #redraw(base: Int32Array, active: number, random: RandomSource, out: Int32Array): void {
    const space = this.#guard.space;
    const activeHeads = countActiveHeads(space, base);
    let pick = Math.min(activeHeads - 1, Math.floor(random.next() * activeHeads));
    let head = 0;
    for (; head < space.heads.length; head += 1) {
      if (!space.isHeadActive(head, base)) continue;
      if (pick === 0) break;
      pick -= 1;
    }
    const allowed = this.#allowed;
    const count = this.#guard.allowedChoices(head, base, active, allowed);
    let nth = Math.min(count - 1, Math.floor(random.next() * count));
    for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
      if (allowed[choice] !== 1) continue;
      if (nth === 0) {
        out[head] = choice;
        break;
      }
      nth -= 1;
    }
    this.#guard.repair(out, active, { silent: true });
    canonicalizeIndices(space, out);
  }

  /** The exact probability that `perturb(base, …, epsilon)` yields the canonical action `chosen`. */
  probability(base: Int32Array, chosen: ArrayLike<number>, active: number, epsilon: number): number {
    const space = this.#guard.space;
    const canonicalBase = this.#canonicalBase;
    canonicalBase.set(base);
    canonicalizeIndices(space, canonicalBase);
    const different = firstDifferentHead(space, canonicalBase, chosen);
    const explore = epsilon > 0 ? epsilon : 0;
    if (different < 0 && explore === 0) return 1;
    const activeHeads = countActiveHeads(space, base);
    const allowed = this.#allowed;
    if (different < 0) {
      let sum = 0;
      for (let head = 0; head < space.heads.length; head += 1) {
        if (space.isHeadActive(head, base)) sum += 1 / this.#guard.allowedChoices(head, base, active, allowed);
      }
      return 1 - explore + (explore * sum) / activeHeads;
    }
    if (explore === 0 || !space.isHeadActive(different, base)) return 0;
    const count = this.#guard.allowedChoices(different, base, active, allowed);
    const choice = chosen[different]!;
    if (allowed[choice] !== 1) return 0;
    const candidate = this.#candidate;
    candidate.set(base);
    candidate[different] = choice;
    this.#guard.repair(candidate, active, { silent: true });
    canonicalizeIndices(space, candidate);
    if (firstDifferentHead(space, candidate, chosen) >= 0) return 0;
    return explore / activeHeads / count;
  }
}

function countActiveHeads(space: SafetyGuard['space'], indices: ArrayLike<number>): number {
  let count = 0;
  for (let head = 0; head < space.heads.length; head += 1) if (space.isHeadActive(head, indices)) count += 1;
  return count;
}
