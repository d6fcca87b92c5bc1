/**
 * A small, fast, seedable pseudo-random generator (mulberry32) with the few distributions training needs.
 *
 * Every random process in the trainer takes one of these, so a run with the same seed is bit-for-bit repeatable.
 */
export class SeededRandom {
  private state: number;
  private spareGaussian: number | undefined;

  constructor(seed: number) {
    // Mix the seed so that small consecutive seeds give unrelated streams.
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
    this.spareGaussian = undefined;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, size). */
  integer(size: number): number {
    return Math.floor(this.next() * size);
  }

  /** Standard normal draw (Box–Muller, caching the second value). */
  gaussian(): number {
    if (this.spareGaussian !== undefined) {
      const spare = this.spareGaussian;
      this.spareGaussian = undefined;
      return spare;
    }
    let first = this.next();
    while (first <= Number.MIN_VALUE) first = this.next();
    const second = this.next();
    const radius = Math.sqrt(-2 * Math.log(first));
    this.spareGaussian = radius * Math.sin(2 * Math.PI * second);
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
