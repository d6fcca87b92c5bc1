import { DDSketch } from '@datadog/sketches-js';
import { z } from 'zod';

/** Relative accuracy of every latency sketch (1 %: a reported quantile is within 1 % of a value of that rank). */
export const LATENCY_SKETCH_RELATIVE_ACCURACY = 0.01;

/** Serialised `LatencySketch`: the zero count and the non-empty bins (keys of DDSketch's log mapping, ascending). */
export const latencySketchStateSchema = z
  .object({
    relativeAccuracy: z.literal(LATENCY_SKETCH_RELATIVE_ACCURACY),
    zeroCount: z.number().int().nonnegative(),
    keys: z.array(z.number().int().min(-100_000).max(100_000)).max(200_000),
    counts: z.array(z.number().int().positive()).max(200_000),
  })
  .refine((state) => state.keys.length === state.counts.length, { message: 'keys and counts must have the same length' });
export type LatencySketchState = z.infer<typeof latencySketchStateSchema>;

/** A sketch used only for its key mapping (`LatencySketch.keyOf`). */
const keyMapping = new DDSketch({ relativeAccuracy: LATENCY_SKETCH_RELATIVE_ACCURACY });

/**
 * A mergeable quantile sketch of non-negative values (latencies): Datadog's DDSketch (`@datadog/sketches-js`, log
 * mapping, 1 % relative accuracy). Its bins hold integer counts, so merging sketches — in any order or grouping —
 * gives exactly the sketch of all the values, and the same quantiles. Serialises to plain JSON (`toJSON` / `from`).
 */
export class LatencySketch {
  private readonly sketch = new DDSketch({ relativeAccuracy: LATENCY_SKETCH_RELATIVE_ACCURACY });

  /** Values added. */
  get count(): number {
    return this.sketch.count;
  }

  /** Adds a value; a negative or non-finite value is refused (latencies are validated non-negative). */
  add(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`LatencySketch.add: ${value} is not a finite non-negative number`);
    this.sketch.accept(value);
  }

  /**
   * The bin key `add(value)` counts the value in (DDSketch's log mapping), or null for the zero bin. A database
   * store keeps this key per model call, so that quantiles computed from `GROUP BY key` counts equal the sketch's.
   */
  static keyOf(value: number): number | null {
    if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`LatencySketch.keyOf: ${value} is not a finite non-negative number`);
    const mapping = keyMapping.mapping;
    return value > mapping.minPossible ? mapping.key(value) : null;
  }

  /** Adds every value another sketch holds (bin by bin: exact). */
  merge(other: LatencySketch): void {
    this.addState(other.toJSON());
  }

  /** The value at quantile `q` in [0, 1]; `null` when empty. */
  quantile(q: number): number | null {
    if (this.sketch.count === 0) return null;
    return this.sketch.getValueAtQuantile(q);
  }

  toJSON(): LatencySketchState {
    const store = this.sketch.store;
    const keys: number[] = [];
    const counts: number[] = [];
    if (store.count > 0) {
      for (let key = store.minKey; key <= store.maxKey; key += 1) {
        const weight = store.bins[key - store.offset] ?? 0;
        if (weight === 0) continue;
        keys.push(key);
        counts.push(weight);
      }
    }
    return { relativeAccuracy: LATENCY_SKETCH_RELATIVE_ACCURACY, zeroCount: this.sketch.zeroCount, keys, counts };
  }

  /** Restores a sketch from `toJSON()` output (validated: throws `ZodError` on a malformed state). */
  static from(state: unknown): LatencySketch {
    const sketch = new LatencySketch();
    sketch.addState(latencySketchStateSchema.parse(state));
    return sketch;
  }

  private addState(state: LatencySketchState): void {
    const sketch = this.sketch;
    if (state.zeroCount > 0) {
      sketch.zeroCount += state.zeroCount;
      sketch.count += state.zeroCount;
    }
    for (let index = 0; index < state.keys.length; index += 1) {
      const weight = state.counts[index]!;
      sketch.store.add(state.keys[index]!, weight);
      sketch.count += weight;
    }
  }
}
