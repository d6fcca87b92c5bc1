import type { DenseRuntimeKind } from '@orchestra/learning-policy';

/** The arguments of `DenseKernels.denseForward`, in order. */
export type DenseForwardArguments = [
  input: number,
  weights: number,
  bias: number,
  output: number,
  batch: number,
  inputSize: number,
  outputSize: number,
  relu: boolean,
];
/** The arguments of `DenseKernels.denseWeightGradient`, in order. */
export type DenseWeightGradientArguments = [
  input: number,
  outputGradient: number,
  weightGradient: number,
  batch: number,
  inputSize: number,
  outputSize: number,
];
/** The arguments of `DenseKernels.denseInputGradient`, in order. */
export type DenseInputGradientArguments = [
  outputGradient: number,
  weights: number,
  input: number,
  inputGradient: number,
  batch: number,
  inputSize: number,
  outputSize: number,
  reluMask: boolean,
];
/** The arguments of `DenseKernels.adamStep`, in order. */
export type AdamStepArguments = [
  parameters: number,
  gradients: number,
  firstMoments: number,
  secondMoments: number,
  count: number,
  gradientScale: number,
  rate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
];

/**
 * The three dense-layer kernels the trainer's networks need, over one flat float heap.
 *
 * Every argument named like a buffer is an offset in floats into `heap`. Matrices are row-major: an activation
 * batch is `[batch][size]`, a weight matrix is `[inputSize][outputSize]` (the layout of a tfjs Dense kernel).
 * Each network owns its own kernels object, so one heap holds all of one network's parameters, gradients, optimiser
 * state and activations.
 */
export interface DenseKernels {
  /** `'wasm-simd'` (WebAssembly SIMD) or `'typescript'` (plain Float32Array loops): the policy runtime's names. */
  readonly kind: DenseRuntimeKind;
  /** The heap every offset refers to. It is replaced by `reserve`, so re-read it after reserving. */
  readonly heap: Float32Array;
  /** Makes the heap hold at least `floatCount` floats, keeping its contents. */
  reserve(floatCount: number): void;
  /** `output = input · weights + bias`, then ReLU when `relu`. */
  denseForward(...args: DenseForwardArguments): void;
  /** `weightGradient = inputᵀ · outputGradient` (overwrites). */
  denseWeightGradient(...args: DenseWeightGradientArguments): void;
  /**
   * `inputGradient = outputGradient · weightsᵀ`; with `reluMask` the entries whose `input` activation is not
   * positive are set to zero (the ReLU derivative of the layer below).
   */
  denseInputGradient(...args: DenseInputGradientArguments): void;
  /**
   * One Adam step over `count` parameters (a multiple of 4): with g = gradient · `gradientScale`,
   * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², θ ← θ − rate·m / (√v + ε). `rate` and `epsilon` arrive already
   * bias-corrected.
   */
  adamStep(...args: AdamStepArguments): void;
  /** Σ heap[start … start + count)², `count` a multiple of 4; `scratch` is a free 4-float slot the kernel may use. */
  sumOfSquares(start: number, count: number, scratch: number): number;
}
