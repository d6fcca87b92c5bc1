/** Mean and its normal-approximation confidence interval. */
export interface MeanWithInterval {
  mean: number;
  /** [lower, upper] at 95 % (mean ± 1.96 standard errors). */
  interval: [number, number];
  standardError: number;
  count: number;
}

const Z_95 = 1.959963984540054;

/** Mean of `values` with a 95 % confidence interval (normal approximation; the samples here are ≥ 100). */
export function meanWithInterval(values: readonly number[]): MeanWithInterval {
  const count = values.length;
  if (count === 0) return { mean: Number.NaN, interval: [Number.NaN, Number.NaN], standardError: Number.NaN, count: 0 };
  let sum = 0;
  for (const value of values) sum += value;
  const mean = sum / count;
  let squares = 0;
  for (const value of values) squares += (value - mean) ** 2;
  const standardError = count > 1 ? Math.sqrt(squares / (count - 1) / count) : 0;
  return { mean, interval: [mean - Z_95 * standardError, mean + Z_95 * standardError], standardError, count };
}

/** Mean of the paired differences `left[i] − right[i]` with its 95 % interval (same tasks, same random streams). */
export function pairedDifference(left: readonly number[], right: readonly number[]): MeanWithInterval {
  if (left.length !== right.length) throw new RangeError(`paired samples differ in length: ${left.length} and ${right.length}`);
  return meanWithInterval(left.map((value, index) => value - (right[index] as number)));
}

/** Nearest-rank percentile (`probability` in (0, 1]); NaN for an empty sample. */
export function percentile(values: readonly number[], probability: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(probability * sorted.length) - 1))] as number;
}
