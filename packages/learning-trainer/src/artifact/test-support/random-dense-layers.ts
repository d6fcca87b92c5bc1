import { createRng } from '@orchestra/learning-features';
import { createRandomDenseLayers } from '@orchestra/learning-policy/testing';
import type { DenseLayerWeights } from '../../networks/dense-layer-weights';

/** Seeded random layers for `sizes` = [input, hidden…, output]: ReLU between layers, linear output. Tests only. */
export function randomDenseLayers(sizes: readonly number[], seed: number): DenseLayerWeights[] {
  return createRandomDenseLayers(sizes, seed);
}

/** `count` seeded input rows of `size` values in [-2, 2), as one row-major Float32Array. */
export function randomInputs(count: number, size: number, seed: number): Float32Array {
  const random = createRng(seed);
  return Float32Array.from({ length: count * size }, () => random.next() * 4 - 2);
}
