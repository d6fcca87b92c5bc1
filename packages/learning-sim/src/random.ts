/** What the simulator needs of a random generator: uniform numbers in [0, 1). `createRng` of the features package fits. */
export interface UniformSource {
  next(): number;
}

/** A standard normal draw (Box–Muller; uses two uniforms, returns one value: simple and fast enough here). */
export function normal(rng: UniformSource): number {
  const first = 1 - rng.next();
  const second = rng.next();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

/** A Poisson draw with a small mean (Knuth's product method; the means used here are below 10). */
export function poisson(rng: UniformSource, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let count = 0;
  let product = rng.next();
  while (product > limit) {
    count += 1;
    product *= rng.next();
  }
  return count;
}

/** Index drawn with probability proportional to `weights` (all non-negative, at least one positive). */
export function weightedIndex(rng: UniformSource, weights: readonly number[]): number {
  let total = 0;
  for (const weight of weights) total += weight;
  let threshold = rng.next() * total;
  for (let index = 0; index < weights.length; index += 1) {
    threshold -= weights[index] as number;
    if (threshold < 0) return index;
  }
  let last = weights.length - 1;
  while (last > 0 && (weights[last] as number) <= 0) last -= 1;
  return last;
}

/** A uniformly chosen element of a non-empty list. */
export function pick<Value>(rng: UniformSource, list: readonly Value[]): Value {
  return list[Math.floor(rng.next() * list.length)] as Value;
}
