import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DenseNetwork } from '../artifact/model-artifact';
import { createRandomDenseLayers } from '../artifact/random-dense-network';
import { createDenseRuntime } from './create-dense-runtime';
import { wasmSourceSha256 } from './dense-kernel-bytes';
import type { DenseRuntime, DenseRuntimeKind } from './dense-runtime';
import { isWasmSimdAvailable } from './wasm-dense-runtime';

function network(sizes: number[], seed: number): DenseNetwork {
  const layers = createRandomDenseLayers(sizes, seed);
  return { layers, inputSize: sizes[0]!, outputSize: sizes[sizes.length - 1]! };
}

/** Straightforward float64 reference: y = act(x · W + b), layer by layer. */
function reference(net: DenseNetwork, input: ArrayLike<number>): number[] {
  let values = Array.from(input);
  for (const layer of net.layers) {
    const next: number[] = [];
    for (let output = 0; output < layer.outputSize; output += 1) {
      let sum = layer.bias[output]!;
      for (let index = 0; index < layer.inputSize; index += 1) sum += values[index]! * layer.kernel[index * layer.outputSize + output]!;
      next.push(layer.activation === 'relu' ? Math.max(0, sum) : sum);
    }
    values = next;
  }
  return values;
}

function tfjsOutputs(net: DenseNetwork, rows: Float32Array, rowCount: number): Float32Array {
  const model = tf.sequential();
  net.layers.forEach((layer, index) => {
    model.add(
      tf.layers.dense({
        units: layer.outputSize,
        activation: layer.activation,
        ...(index === 0 ? { inputShape: [layer.inputSize] } : {}),
      }),
    );
  });
  model.setWeights(net.layers.flatMap((layer) => [tf.tensor2d(layer.kernel, [layer.inputSize, layer.outputSize]), tf.tensor1d(layer.bias)]));
  const result = model.predict(tf.tensor2d(rows, [rowCount, net.inputSize])) as tf.Tensor;
  return result.dataSync() as Float32Array;
}

function rowOf(runtime: DenseRuntime, row: number): number[] {
  return Array.from(runtime.output.subarray(row * runtime.outputStride, row * runtime.outputStride + runtime.outputSize));
}

function maxDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < left.length; index += 1) max = Math.max(max, Math.abs(left[index]! - right[index]!));
  return max;
}

const kinds: DenseRuntimeKind[] = ['typescript', 'wasm-simd'];

describe('dense forward pass', () => {
  it('has WebAssembly SIMD on this engine (Node ≥ 16.4)', () => {
    expect(isWasmSimdAvailable()).toBe(true);
  });

  it('ships kernel bytes assembled from the current dense-kernel.wat', () => {
    const source = readFileSync(new URL('./dense-kernel.wat', import.meta.url), 'utf8');
    expect(createHash('sha256').update(source).digest('hex')).toBe(wasmSourceSha256);
  });

  const policyNet = network([83, 256, 128, 35], 11);
  const rowCount = 64;
  const rows = new Float32Array(rowCount * policyNet.inputSize).map((_, index) => Math.sin(index * 0.37) * 1.5);
  const expected = tfjsOutputs(policyNet, rows, rowCount);

  it.each(kinds)('%s agrees with tfjs and a float64 reference to 1e-5, one row and a batch', (kind) => {
    const runtime = createDenseRuntime(policyNet, { prefer: kind, maxBatch: rowCount });
    expect(runtime.kind).toBe(kind);
    runtime.input.set(rows);
    runtime.run(rowCount);
    for (let row = 0; row < rowCount; row += 1) {
      const tfjsRow = expected.subarray(row * 35, row * 35 + 35);
      expect(maxDifference(rowOf(runtime, row), tfjsRow)).toBeLessThan(1e-5);
    }
    // 7 rows: the four-row kernel once, then the single-row kernel for the remaining three.
    runtime.input.set(rows.subarray(9 * 83, 16 * 83));
    runtime.output.fill(0);
    runtime.run(7);
    for (let row = 0; row < 7; row += 1) {
      expect(maxDifference(rowOf(runtime, row), expected.subarray((row + 9) * 35, (row + 10) * 35))).toBeLessThan(1e-5);
    }
    runtime.input.set(rows.subarray(5 * 83, 6 * 83));
    runtime.run(1);
    expect(maxDifference(rowOf(runtime, 0), reference(policyNet, rows.subarray(5 * 83, 6 * 83)))).toBeLessThan(1e-5);
    expect(maxDifference(rowOf(runtime, 0), expected.subarray(5 * 35, 6 * 35))).toBeLessThan(1e-5);
  });

  it.each(kinds)('%s handles sizes that are not multiples of the block (1 → 3 → 17 → 1)', (kind) => {
    const small = network([1, 3, 17, 1], 3);
    const runtime = createDenseRuntime(small, { prefer: kind });
    runtime.input[0] = 0.75;
    runtime.run();
    expect(maxDifference(rowOf(runtime, 0), reference(small, [0.75]))).toBeLessThan(1e-6);
  });

  it.each(kinds)('%s lets NaN inputs through to the output so callers can detect them', (kind) => {
    const runtime = createDenseRuntime(policyNet, { prefer: kind });
    runtime.input.fill(0.5);
    runtime.input[3] = Number.NaN;
    runtime.run();
    expect(rowOf(runtime, 0).some(Number.isNaN)).toBe(true);
  });

  it.each(kinds)('%s refuses a batch larger than maxBatch', (kind) => {
    const runtime = createDenseRuntime(policyNet, { prefer: kind, maxBatch: 2 });
    expect(() => runtime.run(3)).toThrow(RangeError);
  });
});
