import type { Activation, DenseLayer } from '@orchestra/learning-policy';

/** Activation of a dense layer: the policy package's (the format the runtime serves). */
export type DenseActivation = Activation;

/**
 * One dense layer in a neutral, framework-free form: `output = activation(input · kernel + bias)`, `kernel` row-major
 * `[inputSize][outputSize]` (the layout of a tfjs `Dense` kernel, so the artifact writer stores it without
 * transposing). The policy package's `DenseLayer`, under the name the trainer's API has always used.
 */
export type DenseLayerWeights = DenseLayer;

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
