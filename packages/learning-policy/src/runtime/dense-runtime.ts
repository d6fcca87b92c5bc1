/** Which implementation runs a network's forward pass. */
export type DenseRuntimeKind = 'wasm-simd' | 'typescript';

/**
 * A network's forward pass over pre-allocated buffers: write up to `maxBatch` rows of features into `input`
 * (row-major, `inputSize` floats per row), call `run(rows)`, read row r's outputs at
 * `output[r * outputStride .. r * outputStride + outputSize)`. `run` allocates nothing.
 */
export interface DenseRuntime {
  readonly kind: DenseRuntimeKind;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Floats between the starts of two output rows (≥ outputSize: the WASM kernel pads rows to 16). */
  readonly outputStride: number;
  readonly maxBatch: number;
  readonly input: Float32Array;
  readonly output: Float32Array;
  /** Runs the network on the first `rows` rows of `input` (default 1). */
  run(rows?: number): void;
}

/** Options of `createDenseRuntime`. */
export interface DenseRuntimeOptions {
  /** Largest batch `run` accepts (default 1). */
  readonly maxBatch?: number;
  /** `auto` (default): WebAssembly SIMD when the engine supports it, else plain TypeScript. */
  readonly prefer?: 'auto' | DenseRuntimeKind;
}
