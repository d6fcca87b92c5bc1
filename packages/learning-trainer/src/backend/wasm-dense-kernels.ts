import { lazyWasmModule } from '@orchestra/learning-policy';
import type { AdamStepArguments, DenseForwardArguments, DenseInputGradientArguments, DenseKernels, DenseWeightGradientArguments } from './dense-kernels';
import { wasmBase64 } from './training-kernels-bytes';

const pageBytes = 65536;

/** The compiled kernels (`training-kernels.wat`), or null when this runtime lacks WebAssembly SIMD. Compiled once. */
const kernelModule = lazyWasmModule(wasmBase64);

/** True when WebAssembly SIMD kernels can run here. */
export function wasmKernelsAvailable(): boolean {
  return kernelModule() !== null;
}

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  denseForward(...args: number[]): void;
  denseWeightGradient(...args: number[]): void;
  denseInputGradient(...args: number[]): void;
  adamStep(...args: number[]): void;
  sumOfSquares(...args: number[]): void;
}

/**
 * WebAssembly SIMD kernels (f32x4), hand-written in `training-kernels.wat` and assembled by `pnpm build:wasm` (the
 * policy runtime's way). One instance owns one linear memory; `reserve` grows it and refreshes `heap`.
 */
export class WasmDenseKernels implements DenseKernels {
  readonly kind = 'wasm-simd' as const;
  heap: Float32Array;
  private readonly exports: KernelExports;

  constructor() {
    const module = kernelModule();
    if (module === null) throw new Error('WebAssembly SIMD is not available in this runtime');
    this.exports = module.instantiate<KernelExports>();
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  reserve(floatCount: number): void {
    if (floatCount <= this.heap.length) return;
    const neededPages = Math.ceil((floatCount * 4) / pageBytes);
    const currentPages = this.exports.memory.buffer.byteLength / pageBytes;
    this.exports.memory.grow(Math.max(neededPages - currentPages, currentPages));
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  denseForward(...[input, weights, bias, output, batch, inputSize, outputSize, relu]: DenseForwardArguments): void {
    this.exports.denseForward(input * 4, weights * 4, bias * 4, output * 4, batch, inputSize, outputSize, relu ? 1 : 0);
  }

  denseWeightGradient(...[input, outputGradient, weightGradient, batch, inputSize, outputSize]: DenseWeightGradientArguments): void {
    this.heap.fill(0, weightGradient, weightGradient + inputSize * outputSize);
    this.exports.denseWeightGradient(input * 4, outputGradient * 4, weightGradient * 4, batch, inputSize, outputSize);
  }

  denseInputGradient(...[outputGradient, weights, input, inputGradient, batch, inputSize, outputSize, reluMask]: DenseInputGradientArguments): void {
    this.exports.denseInputGradient(
      outputGradient * 4,
      weights * 4,
      input * 4,
      inputGradient * 4,
      batch,
      inputSize,
      outputSize,
      reluMask ? 1 : 0,
    );
  }

  adamStep(...[parameters, gradients, firstMoments, secondMoments, count, gradientScale, rate, beta1, beta2, epsilon]: AdamStepArguments): void {
    this.exports.adamStep(parameters * 4, gradients * 4, firstMoments * 4, secondMoments * 4, count, gradientScale, rate, beta1, beta2, epsilon);
  }

  sumOfSquares(start: number, count: number, scratch: number): number {
    this.exports.sumOfSquares(start * 4, count, scratch * 4);
    return this.heap[scratch]!;
  }
}
