import { SeededRandom } from '../networks/seeded-random';

/** A percentile bootstrap interval and the spread of the replicates. */
export interface BootstrapInterval {
  lower: number;
  upper: number;
  /** Standard deviation of the bootstrap replicates (the bootstrap standard error). */
  standardError: number;
}

/**
 * Runs `replicates` bootstrap resamples of `size` records (drawn with replacement, seeded) and hands each
 * resample's record positions to `visit`. One resample array is reused; `visit` must not keep it.
 */
export function forEachBootstrapResample(
  size: number,
  replicates: number,
  seed: number,
  visit: (indices: Int32Array, replicate: number) => void,
): void {
  const random = new SeededRandom(seed);
  const indices = new Int32Array(size);
  for (let replicate = 0; replicate < replicates; replicate += 1) {
    for (let position = 0; position < size; position += 1) indices[position] = random.integer(size);
    visit(indices, replicate);
  }
}

/**
 * The percentile interval at `confidence` (two-sided) of the finite values among `replicates` (non-finite replicates
 * — e.g. a self-normalised estimate of a resample with no positive weight — are left out).
 */
export function percentileInterval(replicates: ArrayLike<number>, confidence: number): BootstrapInterval {
  const finite = Float64Array.from(Array.prototype.filter.call(replicates, Number.isFinite) as number[]).sort();
  if (finite.length === 0) return { lower: Number.NaN, upper: Number.NaN, standardError: Number.NaN };
  const tail = (1 - confidence) / 2;
  let mean = 0;
  for (const value of finite) mean += value;
  mean /= finite.length;
  let variance = 0;
  for (const value of finite) variance += (value - mean) ** 2;
  variance /= Math.max(1, finite.length - 1);
  return { lower: quantile(finite, tail), upper: quantile(finite, 1 - tail), standardError: Math.sqrt(variance) };
}

/** Linear-interpolation quantile of sorted values (type 7, as R and numpy default). */
function quantile(sorted: Float64Array, probability: number): number {
  const position = (sorted.length - 1) * probability;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const fraction = position - below;
  return sorted[below]! * (1 - fraction) + sorted[above]! * fraction;
}
