import type { DenseLayer } from './model-artifact';

/**
 * Runs `layers` on one input vector in float64: a slow, obviously correct reference (for tests, tools and the
 * trainer's small prediction heads); the runtimes in `runtime/` are the fast forward passes.
 */
export function denseLayersForward(layers: readonly DenseLayer[], input: ArrayLike<number>): Float64Array {
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
