/**
 * The allowed choice (`allowed[choice] === 1`) of one head whose logits start at `offset` with the largest logit (the
 * first on ties), or -1 when none is allowed. Allocation-free; the action space and the policy's masked selection
 * both choose with it.
 */
export function bestAllowedChoice(logits: ArrayLike<number>, offset: number, size: number, allowed: Uint8Array): number {
  let maximum = Number.NEGATIVE_INFINITY;
  let best = -1;
  for (let choice = 0; choice < size; choice += 1) {
    if (allowed[choice] === 1 && (best < 0 || logits[offset + choice]! > maximum)) {
      maximum = logits[offset + choice]!;
      best = choice;
    }
  }
  return best;
}
