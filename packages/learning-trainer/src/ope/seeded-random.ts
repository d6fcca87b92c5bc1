/**
 * A tiny seeded uniform generator (mulberry32) for bootstrap resampling: identical on every platform, so a
 * confidence interval computed with a given seed is reproducible bit for bit.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Spread nearby seeds apart so seed 1 and seed 2 give unrelated streams.
    this.state = Math.imul(Math.trunc(seed) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  }

  /** Uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.next() * bound);
  }
}
