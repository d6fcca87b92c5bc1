/** Mean absolute error. */
export function meanAbsoluteError(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < actual.length; index++) sum += Math.abs(predicted[index]! - actual[index]!);
  return actual.length === 0 ? Number.NaN : sum / actual.length;
}

/** Brier score: mean squared difference between predicted probability and the 0/1 outcome (lower is better). */
export function brierScore(probabilities: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < outcomes.length; index++) sum += (probabilities[index]! - outcomes[index]!) ** 2;
  return outcomes.length === 0 ? Number.NaN : sum / outcomes.length;
}

/**
 * Expected calibration error over `bins` equal-width probability bins: Σ_b (n_b/n)·|mean predicted − observed rate|.
 */
export function expectedCalibrationError(probabilities: ArrayLike<number>, outcomes: ArrayLike<number>, bins = 10): number {
  const counts = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  for (let index = 0; index < outcomes.length; index++) {
    const probability = probabilities[index]!;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(probability * bins)));
    counts[bin]! += 1;
    predicted[bin]! += probability;
    observed[bin]! += outcomes[index]!;
  }
  let error = 0;
  for (let bin = 0; bin < bins; bin++) {
    if (counts[bin] === 0) continue;
    error += (counts[bin]! / outcomes.length) * Math.abs(predicted[bin]! / counts[bin]! - observed[bin]! / counts[bin]!);
  }
  return outcomes.length === 0 ? Number.NaN : error;
}
