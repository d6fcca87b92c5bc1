/**
 * The maths of a factorised categorical policy: the actor's output is the concatenation of one logit block per
 * action head, each with its own softmax; an action is one index per head, and its log-probability is the sum over
 * the active heads. Masks remove invalid choices (their probability is exactly 0).
 */

/** Sizes of the action heads, in order; the logits of head h start at the sum of the earlier sizes. */
export interface PolicyHeadLayout {
  readonly sizes: readonly number[];
}

/** Start offset of each head and the total number of logits. */
export function headOffsets(layout: PolicyHeadLayout): { offsets: number[]; totalLogits: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const size of layout.sizes) {
    offsets.push(total);
    total += size;
  }
  return { offsets, totalLogits: total };
}

/** A batch of actions and what constrains them. */
export interface PolicyBatch {
  batch: number;
  /** `batch × heads` chosen indices. */
  actions: Int32Array;
  /** `batch × heads`, 1 where the head counts in the log-probability; all heads when omitted. */
  active?: Uint8Array | undefined;
  /** `batch × totalLogits`, 1 for valid choices; all valid when omitted. */
  masks?: Uint8Array | undefined;
}

/** The largest unmasked logit of one head's block `[start, start + size)` (−∞ when every choice is masked). */
function maskedMaximum(logits: Float32Array, masks: Uint8Array | undefined, start: number, size: number): number {
  let maximum = -Infinity;
  for (let choice = 0; choice < size; choice++) {
    if (masks && masks[start + choice] === 0) continue;
    maximum = Math.max(maximum, logits[start + choice]!);
  }
  return maximum;
}

/**
 * Writes the per-head probabilities of each row into `probabilities` (`batch × totalLogits`, masked entries 0) and
 * returns nothing; numerically stable (max-shifted).
 */
export function headProbabilities(
  layout: PolicyHeadLayout,
  logits: Float32Array,
  batch: number,
  masks: Uint8Array | undefined,
  probabilities: Float64Array,
): void {
  const { offsets, totalLogits } = headOffsets(layout);
  for (let row = 0; row < batch; row++) {
    const base = row * totalLogits;
    layout.sizes.forEach((size, head) => {
      const start = base + offsets[head]!;
      const maximum = maskedMaximum(logits, masks, start, size);
      let sum = 0;
      for (let choice = 0; choice < size; choice++) {
        const valid = !masks || masks[start + choice] !== 0;
        const value = valid ? Math.exp(logits[start + choice]! - maximum) : 0;
        probabilities[start + choice] = value;
        sum += value;
      }
      for (let choice = 0; choice < size; choice++) probabilities[start + choice]! /= sum;
    });
  }
}

/** Statistics of a policy-gradient loss evaluation. */
export interface PolicyLossResult {
  /** Mean over rows of log π(a|s) (summed over active heads). */
  meanLogProbability: number;
  /** Mean over rows of the entropy (summed over active heads). */
  meanEntropy: number;
  /** Mean over rows of the loss term −c·log π − β·H. */
  loss: number;
  /** log π(a|s) of each row. */
  logProbabilities: Float64Array;
}

/**
 * Loss `(1/B) Σ_b [ −c_b · log π(a_b|s_b) − β · H(π(·|s_b)) ]` and its gradient with respect to the logits, written
 * into `logitGradient` (`batch × totalLogits`). `coefficients[b]` is the advantage (times any importance or AWR
 * weight); β is `entropyCoefficient`. With `coefficients` all 1 and β = 0 this is behaviour cloning.
 */
export function policyLossAndGradient(
  layout: PolicyHeadLayout,
  logits: Float32Array,
  input: PolicyBatch,
  coefficients: ArrayLike<number>,
  entropyCoefficient: number,
  logitGradient: Float32Array,
): PolicyLossResult {
  const { offsets, totalLogits } = headOffsets(layout);
  const headCount = layout.sizes.length;
  const { batch, actions, active, masks } = input;
  const probabilities = new Float64Array(batch * totalLogits);
  headProbabilities(layout, logits, batch, masks, probabilities);
  const logProbabilities = new Float64Array(batch);
  let entropyTotal = 0;
  let lossTotal = 0;
  const scale = 1 / batch;
  for (let row = 0; row < batch; row++) {
    const coefficient = coefficients[row]!;
    let logProbability = 0;
    let entropy = 0;
    for (let head = 0; head < headCount; head++) {
      const start = row * totalLogits + offsets[head]!;
      const size = layout.sizes[head]!;
      if (active && active[row * headCount + head] === 0) {
        logitGradient.fill(0, start, start + size);
        continue;
      }
      const chosen = actions[row * headCount + head]!;
      let headEntropy = 0;
      for (let choice = 0; choice < size; choice++) {
        const probability = probabilities[start + choice]!;
        if (probability > 0) headEntropy -= probability * Math.log(probability);
      }
      for (let choice = 0; choice < size; choice++) {
        const probability = probabilities[start + choice]!;
        const logOfProbability = probability > 0 ? Math.log(probability) : 0;
        const policyTerm = coefficient * (probability - (choice === chosen ? 1 : 0));
        const entropyTerm = entropyCoefficient * probability * (logOfProbability + headEntropy);
        logitGradient[start + choice] = scale * (policyTerm + entropyTerm);
      }
      logProbability += Math.log(Math.max(probabilities[start + chosen]!, 1e-30));
      entropy += headEntropy;
    }
    logProbabilities[row] = logProbability;
    entropyTotal += entropy;
    lossTotal += -coefficient * logProbability - entropyCoefficient * entropy;
  }
  let logProbabilityTotal = 0;
  for (let row = 0; row < batch; row++) logProbabilityTotal += logProbabilities[row]!;
  return {
    meanLogProbability: logProbabilityTotal / batch,
    meanEntropy: entropyTotal / batch,
    loss: lossTotal / batch,
    logProbabilities,
  };
}

/**
 * Chooses one action per row: sampled from the masked per-head softmax (`random` given) or the most likely
 * choice of each head (`random` omitted). Writes `batch × heads` indices into `actions`.
 */
export function selectActions(
  layout: PolicyHeadLayout,
  logits: Float32Array,
  batch: number,
  actions: Int32Array,
  random?: { next(): number },
  masks?: Uint8Array,
): void {
  const { offsets, totalLogits } = headOffsets(layout);
  const headCount = layout.sizes.length;
  const probabilities = new Float64Array(batch * totalLogits);
  headProbabilities(layout, logits, batch, masks, probabilities);
  for (let row = 0; row < batch; row++) {
    for (let head = 0; head < headCount; head++) {
      const start = row * totalLogits + offsets[head]!;
      const size = layout.sizes[head]!;
      let chosen = 0;
      if (random) {
        const draw = random.next();
        let cumulative = 0;
        chosen = -1;
        for (let choice = 0; choice < size; choice++) {
          const probability = probabilities[start + choice]!;
          if (probability <= 0) continue;
          cumulative += probability;
          chosen = choice;
          if (draw < cumulative) break;
        }
        if (chosen < 0) chosen = 0;
      } else {
        let best = -Infinity;
        for (let choice = 0; choice < size; choice++) {
          const probability = probabilities[start + choice]!;
          if (probability > best) {
            best = probability;
            chosen = choice;
          }
        }
      }
      actions[row * headCount + head] = chosen;
    }
  }
}

/** Writes log π(a|s) of each row (summed over active heads, with masks) into `out`. */
export function actionLogProbabilities(
  layout: PolicyHeadLayout,
  logits: Float32Array,
  input: PolicyBatch,
  out: Float64Array,
): Float64Array {
  const { offsets, totalLogits } = headOffsets(layout);
  const headCount = layout.sizes.length;
  const { batch, actions, active, masks } = input;
  for (let row = 0; row < batch; row++) {
    let total = 0;
    for (let head = 0; head < headCount; head++) {
      if (active && active[row * headCount + head] === 0) continue;
      const start = row * totalLogits + offsets[head]!;
      const size = layout.sizes[head]!;
      const maximum = maskedMaximum(logits, masks, start, size);
      let sum = 0;
      for (let choice = 0; choice < size; choice++) {
        if (masks && masks[start + choice] === 0) continue;
        sum += Math.exp(logits[start + choice]! - maximum);
      }
      const chosen = actions[row * headCount + head]!;
      total += masks && masks[start + chosen] === 0 ? -Infinity : logits[start + chosen]! - maximum - Math.log(sum);
    }
    out[row] = total;
  }
  return out;
}
