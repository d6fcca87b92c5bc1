import { createRng } from '@orchestra/learning-features';
import type { Activation } from './model-manifest';
import type { DenseLayer } from './model-artifact';

/**
 * Random dense layers (Glorot-uniform kernels, small biases) for `sizes` = [input, hidden…, output]; ReLU between
 * layers, linear output. For tests, benchmarks and examples: the same seed gives the same weights.
 */
export function createRandomDenseLayers(sizes: readonly number[], seed: number, outputActivation: Activation = 'linear'): DenseLayer[] {
  const generator = createRng(seed);
  const random = () => generator.next();
  const layers: DenseLayer[] = [];
  for (let index = 0; index + 1 < sizes.length; index += 1) {
    const inputSize = sizes[index]!;
    const outputSize = sizes[index + 1]!;
    const limit = Math.sqrt(6 / (inputSize + outputSize));
    const kernel = new Float32Array(inputSize * outputSize);
    for (let weight = 0; weight < kernel.length; weight += 1) kernel[weight] = (random() * 2 - 1) * limit;
    const bias = new Float32Array(outputSize);
    for (let unit = 0; unit < outputSize; unit += 1) bias[unit] = (random() * 2 - 1) * 0.1;
    layers.push({ inputSize, outputSize, activation: index + 2 === sizes.length ? outputActivation : 'relu', kernel, bias });
  }
  return layers;
}

/** `count` seeded input rows of `size` values in [-2, 2), as one row-major Float32Array. */
export function createRandomInputs(count: number, size: number, seed: number): Float32Array {
  const random = createRng(seed);
  return Float32Array.from({ length: count * size }, () => random.next() * 4 - 2);
}
