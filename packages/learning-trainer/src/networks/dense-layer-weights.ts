/** Activation of a dense layer in the neutral weight format. */
export type DenseActivation = 'relu' | 'linear';

/**
 * One dense layer in a neutral, framework-free form: `output = activation(input · kernel + bias)`.
 *
 * `kernel` is row-major `[inputSize][outputSize]`, the layout of a tfjs `Dense` kernel, so the artifact writer can
 * store it as a tfjs weight without transposing. The arrays are copies owned by the caller.
 */
export interface DenseLayerWeights {
  inputSize: number;
  outputSize: number;
  /** `inputSize × outputSize` floats, row-major. */
  kernel: Float32Array;
  /** `outputSize` floats. */
  bias: Float32Array;
  activation: DenseActivation;
}

/** Runs `layers` on one input vector in float64 (a slow, obviously correct reference for tests and tools). */
export function denseLayersForward(layers: readonly DenseLayerWeights[], input: ArrayLike<number>): Float64Array {
  let current = Float64Array.from(input);
  for (const layer of layers) {
    const next = new Float64Array(layer.outputSize);
    for (let column = 0; column < layer.outputSize; column++) {
      let sum = layer.bias[column]!;
      for (let row = 0; row < layer.inputSize; row++) sum += current[row]! * layer.kernel[row * layer.outputSize + column]!;
      next[column] = layer.activation === 'relu' ? Math.max(0, sum) : sum;
    }
    current = next;
  }
  return current;
}
