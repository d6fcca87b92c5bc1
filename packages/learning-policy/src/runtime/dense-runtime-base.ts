import type { DenseRuntime, DenseRuntimeKind } from './dense-runtime';

/** `maxBatch` when it is a positive integer; a RangeError otherwise (checked before any buffer is sized by it). */
export function checkedMaxBatch(maxBatch: number): number {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  return maxBatch;
}

/**
 * What both dense runtimes share: their sizes and buffers (set once, through the constructor's parameter
 * properties) and `run`'s batch check. Each implementation writes the forward pass of `rows` rows in `forward`.
 */
export abstract class DenseRuntimeBase implements DenseRuntime {
  abstract readonly kind: DenseRuntimeKind;

  protected constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    readonly outputStride: number,
    readonly maxBatch: number,
    readonly input: Float32Array,
    readonly output: Float32Array,
  ) {}

  run(rows = 1): void {
    if (rows > this.maxBatch) throw new RangeError(`rows ${rows} exceeds maxBatch ${this.maxBatch}`);
    this.forward(rows);
  }

  /** The forward pass of the first `rows` rows of `input` into `output` (`rows` ≤ `maxBatch`). */
  protected abstract forward(rows: number): void;
}
