/**
 * An exact, order-independent sum of doubles (Shewchuk's non-overlapping partials, as Python's `math.fsum`): the
 * value is the correctly rounded sum of every number added, whatever the order and however the sums were split and
 * merged. Summaries of segments merged in any grouping therefore agree exactly with one pass over all experiences.
 */
export class ExactSum {
  private partials: number[] = [];

  /** Adds a finite number (non-finite values are refused: a sum must stay exact). */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`ExactSum.add: ${value} is not finite`);
    const partials = this.partials;
    let x = value;
    let kept = 0;
    for (let index = 0; index < partials.length; index += 1) {
      let y = partials[index]!;
      if (Math.abs(x) < Math.abs(y)) {
        const swap = x;
        x = y;
        y = swap;
      }
      const high = x + y;
      const low = y - (high - x);
      if (low !== 0) partials[kept++] = low;
      x = high;
    }
    partials.length = kept;
    partials.push(x);
  }

  /** Adds everything another sum holds. */
  merge(other: ExactSum): void {
    for (const partial of other.partials) this.add(partial);
  }

  /** The correctly rounded sum (0 when empty; never -0). */
  value(): number {
    const partials = this.partials;
    let count = partials.length;
    if (count === 0) return 0;
    count -= 1;
    let high = partials[count]!;
    let low = 0;
    while (count > 0) {
      const x = high;
      count -= 1;
      const y = partials[count]!;
      high = x + y;
      low = y - (high - x);
      if (low !== 0) break;
    }
    // Round half-even across the remaining partials (the correction step of `math.fsum`).
    if (count > 0 && ((low < 0 && partials[count - 1]! < 0) || (low > 0 && partials[count - 1]! > 0))) {
      const y = low * 2;
      const x = high + y;
      if (y === x - high) high = x;
    }
    return high === 0 ? 0 : high;
  }

  /** The partials, for serialising (restore with `ExactSum.from`). */
  toJSON(): number[] {
    return [...this.partials];
  }

  /** Restores a sum from `toJSON()` output (each partial re-added, so any finite list is a valid input). */
  static from(partials: readonly number[]): ExactSum {
    const sum = new ExactSum();
    for (const partial of partials) sum.add(partial);
    return sum;
  }
}
