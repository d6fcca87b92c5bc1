import { actionHeadNames, bestAllowedChoice } from '@orchestra/learning-features';
import type { RandomSource } from '@orchestra/learning-features';
import { PolicyError } from '../errors/policy-error';
import { canonicalizeIndices } from './action-indices';
import type { SafetyGuard } from './safety-guard';

/**
 * Chooses one index per head from `logits` (ActionSpace layout), head by head so masks see earlier choices, with
 * every choice the guard disallows removed from the softmax: sampled (`random` given) at `temperature`, or the
 * argmax. Returns the exact log-probability of the chosen action under that masked distribution (0 for argmax:
 * it is chosen with certainty). Writes canonical indices to `out`; allocates nothing. When a constraint removed the
 * choice the unmasked distribution preferred, a `masked` event is recorded on the guard.
 */
export function selectMaskedAction(
  guard: SafetyGuard,
  active: number,
  logits: ArrayLike<number>,
  random: RandomSource | undefined,
  temperature: number,
  out: Int32Array,
  allowed: Uint8Array,
): number {
  const space = guard.space;
  const inverseTemperature = 1 / temperature;
  let logProbability = 0;
  for (let head = 0; head < space.heads.length; head += 1) {
    if (!space.isHeadActive(head, out)) continue;
    const size = space.heads[head]!.size;
    const offset = space.offsets[head]!;
    const count = guard.allowedChoices(head, out, active, allowed);
    if (count === 0) throw new PolicyError({ reason: 'no-valid-action', message: `no allowed choice for head ${actionHeadNames[head]}` });
    const best = bestAllowedChoice(logits, offset, size, allowed);
    const maximum = logits[offset + best]!;
    if (active !== 0) noteMasked(guard, head, logits, offset, size, best, active, out);
    if (random === undefined) {
      out[head] = best;
      continue;
    }
    let sum = 0;
    for (let choice = 0; choice < size; choice += 1) {
      if (allowed[choice] === 1) sum += Math.exp((logits[offset + choice]! - maximum) * inverseTemperature);
    }
    // Walk the allowed choices until the threshold is used up; fall back to the last allowed one (never a masked
    // one) if rounding leaves a tiny remainder.
    let threshold = random.next() * sum;
    let chosen = best;
    for (let choice = 0; choice < size; choice += 1) {
      if (allowed[choice] !== 1) continue;
      chosen = choice;
      threshold -= Math.exp((logits[offset + choice]! - maximum) * inverseTemperature);
      if (threshold < 0) break;
    }
    out[head] = chosen;
    logProbability += (logits[offset + chosen]! - maximum) * inverseTemperature - Math.log(sum);
  }
  canonicalizeIndices(space, out);
  return logProbability;
}

/** Records a `masked` event when the best choice of the action space's own mask is one a constraint forbids. */
function noteMasked(guard: SafetyGuard, head: number, logits: ArrayLike<number>, offset: number, size: number, maskedBest: number, active: number, indices: Int32Array): void {
  const best = bestAllowedChoice(logits, offset, size, guard.space.mask(head, indices, maskScratch(size)));
  if (best !== maskedBest && best >= 0) {
    guard.record({ type: 'masked', constraintId: guard.responsibleConstraint(head, best, active), head: actionHeadNames[head]!, from: guard.space.heads[head]!.labels[best]! });
  }
}

let sharedMask = new Uint8Array(16);
function maskScratch(size: number): Uint8Array {
  if (sharedMask.length < size) sharedMask = new Uint8Array(size);
  return sharedMask;
}

/**
 * The exact probability of the canonical `indices` under the same masked softmax `selectMaskedAction` samples
 * from (1 or 0 under argmax).
 */
export function maskedActionProbability(
  guard: SafetyGuard,
  active: number,
  logits: ArrayLike<number>,
  indices: ArrayLike<number>,
  temperature: number | 'argmax',
  allowed: Uint8Array,
): number {
  const space = guard.space;
  let logProbability = 0;
  for (let head = 0; head < space.heads.length; head += 1) {
    if (!space.isHeadActive(head, indices)) continue;
    const size = space.heads[head]!.size;
    const offset = space.offsets[head]!;
    guard.allowedChoices(head, indices, active, allowed);
    const chosen = indices[head]!;
    if (allowed[chosen] !== 1) return 0;
    const best = bestAllowedChoice(logits, offset, size, allowed);
    const maximum = logits[offset + best]!;
    if (temperature === 'argmax') {
      if (chosen !== best) return 0;
      continue;
    }
    let sum = 0;
    for (let choice = 0; choice < size; choice += 1) {
      if (allowed[choice] === 1) sum += Math.exp((logits[offset + choice]! - maximum) / temperature);
    }
    logProbability += (logits[offset + chosen]! - maximum) / temperature - Math.log(sum);
  }
  return Math.exp(logProbability);
}
