import type { DenseLayerWeights } from '../../networks/dense-layer-weights';
import { SeededRandom } from '../../ope/seeded-random';

/** Seeded random layers for `sizes` = [input, hidden…, output]: ReLU between layers, linear output. Tests only. */
export function randomDenseLayers(sizes: readonly number[], seed: number): DenseLayerWeights[] {
  const random = new SeededRandom(seed);
  const layers: DenseLayerWeights[] = [];
  for (let index = 0; index + 1 < sizes.length; index += 1) {
    const inputSize = sizes[index]!;
    const outputSize = sizes[index + 1]!;
    const limit = Math.sqrt(6 / (inputSize + outputSize));
    const kernel = Float32Array.from({ length: inputSize * outputSize }, () => (random.next() * 2 - 1) * limit);
    const bias = Float32Array.from({ length: outputSize }, () => (random.next() * 2 - 1) * 0.1);
    layers.push({ inputSize, outputSize, kernel, bias, activation: index + 2 === sizes.length ? 'linear' : 'relu' });
  }
  return layers;
}

/** `count` seeded input rows of `size` values in [-2, 2), as one row-major Float32Array. */
export function randomInputs(count: number, size: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count * size }, () => random.next() * 4 - 2);
}
