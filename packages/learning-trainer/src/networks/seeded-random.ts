import { createRng, type SeededRandom as Generator } from '@orchestra/learning-features';

/**
 * The trainer's view of the project's one seeded generator (`createRng` of `@orchestra/learning-features`, sfc32)
 * with the few distributions training needs.
 *
 * Every random process in the trainer takes one of these, so a run with the same seed is bit-for-bit repeatable.
 */
export class SeededRandom {
  readonly #generator: Generator;
  #spareGaussian: number | undefined;

  constructor(seed: number) {
    this.#generator = createRng(seed);
    this.#spareGaussian = undefined;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.#generator.next();
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, size). */
  integer(size: number): number {
    return this.#generator.nextInt(size);
  }

  /** Standard normal draw (Box–Muller, caching the second value). */
  gaussian(): number {
    if (this.#spareGaussian !== undefined) {
      const spare = this.#spareGaussian;
      this.#spareGaussian = undefined;
      return spare;
    }
    let first = this.next();
    while (first <= Number.MIN_VALUE) first = this.next();
    const second = this.next();
    const radius = Math.sqrt(-2 * Math.log(first));
    this.#spareGaussian = radius * Math.sin(2 * Math.PI * second);
    return radius * Math.cos(2 * Math.PI * second);
  }

  /** A new integer seed drawn from this stream, for child generators. */
  fork(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }

  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T {
    for (let index = values.length - 1; index > 0; index--) {
      const other = this.integer(index + 1);
      const held = values[index];
      values[index] = values[other];
      values[other] = held;
    }
    return values;
  }
}
