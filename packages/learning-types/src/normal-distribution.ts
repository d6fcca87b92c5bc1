/** The standard normal CDF Φ (Abramowitz–Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(value: number): number {
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return value >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The z of a two-sided normal interval of `confidence` (0.95 → 1.96): Φ⁻¹(1 − (1 − confidence)/2), by bisection
 * on `normalCdf` (80 halvings of [0, 10]). Throws `RangeError` outside (0, 1).
 */
export function twoSidedNormalQuantile(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`twoSidedNormalQuantile: confidence must be in (0, 1), got ${confidence}`);
  const target = 1 - (1 - confidence) / 2;
  let low = 0;
  let high = 10;
  for (let step = 0; step < 80; step++) {
    const middle = (low + high) / 2;
    if (normalCdf(middle) < target) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}
