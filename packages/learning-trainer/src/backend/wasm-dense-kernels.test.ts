import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDenseKernels } from './create-kernels';
import { wasmSourceSha256 } from './training-kernels-bytes';
import { wasmKernelsAvailable } from './wasm-dense-kernels';

describe('WebAssembly training kernels', () => {
  it('ships kernel bytes assembled from the current training-kernels.wat', () => {
    const source = readFileSync(new URL('./training-kernels.wat', import.meta.url), 'utf8');
    expect(createHash('sha256').update(source).digest('hex')).toBe(wasmSourceSha256);
  });

  it('runs here, under the policy runtime names', () => {
    expect(wasmKernelsAvailable()).toBe(true);
    expect(createDenseKernels().kind).toBe('wasm-simd');
    expect(createDenseKernels('typescript').kind).toBe('typescript');
  });

  it('agrees with the TypeScript kernels on a forward pass, both gradients, an Adam step and a sum of squares', () => {
    const [wasm, reference] = [createDenseKernels('wasm-simd'), createDenseKernels('typescript')];
    // batch 3, 7 inputs → 6 outputs: widths that are not multiples of 4 exercise the scalar tails.
    const [batch, inputs, outputs] = [3, 7, 6];
    const layout = { input: 0, weights: 32, bias: 80, output: 88, gradient: 112, weightGradient: 136, inputGradient: 184, first: 208, second: 256, scratch: 304 };
    for (const kernels of [wasm, reference]) {
      kernels.reserve(320);
      for (let index = 0; index < 304; index += 1) kernels.heap[index] = Math.sin(index * 1.7) * (index % 5 === 0 ? 0 : 1);
      for (let index = layout.second; index < layout.scratch; index += 1) kernels.heap[index] = Math.abs(kernels.heap[index]!); // second moments ≥ 0
    }
    const run = (kernels: typeof wasm) => {
      kernels.denseForward(layout.input, layout.weights, layout.bias, layout.output, batch, inputs, outputs, true);
      kernels.denseWeightGradient(layout.input, layout.gradient, layout.weightGradient, batch, inputs, outputs);
      kernels.denseInputGradient(layout.gradient, layout.weights, layout.input, layout.inputGradient, batch, inputs, outputs, true);
      kernels.adamStep(layout.weights, layout.weightGradient, layout.first, layout.second, 40, 0.5, 0.01, 0.9, 0.999, 1e-8);
      return kernels.sumOfSquares(layout.weights, 40, layout.scratch);
    };
    // float32 (WebAssembly) against float64 accumulation (TypeScript): equal to a relative 1e-5.
    const close = (left: number, right: number) => Math.abs(left - right) <= 1e-5 * Math.max(1, Math.abs(right));
    expect(close(run(wasm), run(reference))).toBe(true);
    const differing = Array.from({ length: 304 }, (_, index) => index).filter((index) => !close(wasm.heap[index]!, reference.heap[index]!));
    expect(differing).toEqual([]);
  });
});
