import type { DenseKernels } from '../backend/dense-kernels';
import { createDenseKernels, type KernelBackendChoice } from '../backend/create-kernels';
import type { DenseLayerWeights } from './dense-layer-weights';
import { SeededRandom } from './seeded-random';

/** Shape and initialisation of a multilayer perceptron. */
export interface MultilayerPerceptronOptions {
  inputSize: number;
  /** Sizes of the ReLU hidden layers, e.g. `[256, 128]`. */
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Seed of the Glorot-uniform initialisation. */
  seed: number;
  /** Multiplies the initial output-layer weights; a small value (0.01) starts a policy near uniform. */
  outputScale?: number;
  backend?: KernelBackendChoice;
}

interface LayerLayout {
  inputSize: number;
  outputSize: number;
  relu: boolean;
  /** Offsets (in floats) into the heap. */
  weights: number;
  bias: number;
  weightGradient: number;
  biasGradient: number;
}

const alignment = 4;
const align = (offset: number) => Math.ceil(offset / alignment) * alignment;

/**
 * A ReLU multilayer perceptron with hand-written backpropagation and Adam state, all in one float heap driven by
 * `DenseKernels` (WebAssembly SIMD or plain JS).
 *
 * Heap layout: parameters, then gradients (same layout), then the two Adam moments, then the batch-sized
 * activations. Parameters and gradients are contiguous so the optimiser and gradient clipping are flat loops.
 */
export class MultilayerPerceptron {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly hiddenSizes: readonly number[];
  readonly parameterCount: number;
  readonly kernels: DenseKernels;
  private readonly layers: LayerLayout[];
  private readonly gradientStart: number;
  private readonly firstMomentStart: number;
  private readonly secondMomentStart: number;
  private readonly scratch: number;
  private readonly activationStart: number;
  private capacity = 0;
  /** Offsets of the input batch, each layer's output and each layer's output gradient, for `capacity` rows. */
  private activationOffsets: number[] = [];
  private gradientOffsets: number[] = [];
  private adamStep = 0;

  constructor(options: MultilayerPerceptronOptions) {
    this.inputSize = options.inputSize;
    this.outputSize = options.outputSize;
    this.hiddenSizes = [...options.hiddenSizes];
    this.kernels = createDenseKernels(options.backend);
    const sizes = [options.inputSize, ...options.hiddenSizes, options.outputSize];
    let parameterCount = 0;
    const shapes: Array<{ inputSize: number; outputSize: number; weights: number; bias: number }> = [];
    for (let index = 0; index + 1 < sizes.length; index++) {
      const inputSize = sizes[index]!;
      const outputSize = sizes[index + 1]!;
      const weights = parameterCount;
      const bias = align(weights + inputSize * outputSize);
      parameterCount = align(bias + outputSize);
      shapes.push({ inputSize, outputSize, weights, bias });
    }
    this.parameterCount = parameterCount;
    this.gradientStart = parameterCount;
    this.firstMomentStart = 2 * parameterCount;
    this.secondMomentStart = 3 * parameterCount;
    this.scratch = 4 * parameterCount;
    this.activationStart = 4 * parameterCount + 4;
    this.layers = shapes.map((shape, index) => ({
      ...shape,
      relu: index < shapes.length - 1,
      weightGradient: this.gradientStart + shape.weights,
      biasGradient: this.gradientStart + shape.bias,
    }));
    this.ensureCapacity(1);
    this.initialise(options.seed, options.outputScale ?? 1);
  }

  private initialise(seed: number, outputScale: number): void {
    const random = new SeededRandom(seed);
    const heap = this.kernels.heap;
    heap.fill(0, 0, this.activationStart);
    this.layers.forEach((layer, index) => {
      const limit = Math.sqrt(6 / (layer.inputSize + layer.outputSize)) * (index === this.layers.length - 1 ? outputScale : 1);
      for (let offset = 0; offset < layer.inputSize * layer.outputSize; offset++) {
        heap[layer.weights + offset] = random.uniform(-limit, limit);
      }
    });
  }

  /** Makes room for batches of up to `batch` rows. */
  ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const capacity = Math.max(batch, this.capacity * 2);
    const activationOffsets: number[] = [];
    const gradientOffsets: number[] = [];
    let offset = this.activationStart;
    activationOffsets.push(offset);
    offset = align(offset + capacity * this.inputSize);
    for (const layer of this.layers) {
      activationOffsets.push(offset);
      offset = align(offset + capacity * layer.outputSize);
      gradientOffsets.push(offset);
      offset = align(offset + capacity * layer.outputSize);
    }
    this.kernels.reserve(offset);
    this.capacity = capacity;
    this.activationOffsets = activationOffsets;
    this.gradientOffsets = gradientOffsets;
  }

  /** The input rows of the next `forward(batch)`; write `batch × inputSize` floats into it. */
  input(batch: number): Float32Array {
    this.ensureCapacity(batch);
    const start = this.activationOffsets[0]!;
    return this.kernels.heap.subarray(start, start + batch * this.inputSize);
  }

  /** Runs the network on the rows in `input(batch)` and returns the `batch × outputSize` outputs (a view). */
  forward(batch: number): Float32Array {
    this.ensureCapacity(batch);
    this.layers.forEach((layer, index) => {
      this.kernels.denseForward(
        this.activationOffsets[index]!,
        layer.weights,
        layer.bias,
        this.activationOffsets[index + 1]!,
        batch,
        layer.inputSize,
        layer.outputSize,
        layer.relu,
      );
    });
    return this.output(batch);
  }

  /** The outputs of the last `forward(batch)` (a view). */
  output(batch: number): Float32Array {
    const start = this.activationOffsets[this.layers.length]!;
    return this.kernels.heap.subarray(start, start + batch * this.outputSize);
  }

  /** Where to write ∂loss/∂output (`batch × outputSize`) before `backward(batch)`. */
  outputGradient(batch: number): Float32Array {
    const start = this.gradientOffsets[this.layers.length - 1]!;
    return this.kernels.heap.subarray(start, start + batch * this.outputSize);
  }

  /** Backpropagates `outputGradient(batch)` through the last forward pass; overwrites the parameter gradients. */
  backward(batch: number): void {
    const heap = this.kernels.heap;
    for (let index = this.layers.length - 1; index >= 0; index--) {
      const layer = this.layers[index]!;
      const outputGradient = this.gradientOffsets[index]!;
      this.kernels.denseWeightGradient(
        this.activationOffsets[index]!,
        outputGradient,
        layer.weightGradient,
        batch,
        layer.inputSize,
        layer.outputSize,
      );
      heap.fill(0, layer.biasGradient, layer.biasGradient + layer.outputSize);
      for (let row = 0; row < batch; row++) {
        const gradientRow = outputGradient + row * layer.outputSize;
        for (let column = 0; column < layer.outputSize; column++) heap[layer.biasGradient + column]! += heap[gradientRow + column]!;
      }
      if (index > 0) {
        this.kernels.denseInputGradient(
          outputGradient,
          layer.weights,
          this.activationOffsets[index]!,
          this.gradientOffsets[index - 1]!,
          batch,
          layer.inputSize,
          layer.outputSize,
          true,
        );
      }
    }
  }

  /** Sum of squared parameter gradients (for gradient-norm clipping). */
  gradientSquaredNorm(): number {
    return this.kernels.sumOfSquares(this.gradientStart, this.parameterCount, this.scratch);
  }

  /** Multiplies every parameter gradient by `factor`. */
  scaleGradients(factor: number): void {
    const heap = this.kernels.heap;
    for (let offset = this.gradientStart; offset < this.firstMomentStart; offset++) heap[offset]! *= factor;
  }

  /**
   * One Adam step (Kingma & Ba, with bias correction) on the current gradients, each first multiplied by
   * `gradientScale` (how clipping is applied without an extra pass).
   */
  applyAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, gradientScale = 1): void {
    this.adamStep += 1;
    const correctedRate = (learningRate * Math.sqrt(1 - beta2 ** this.adamStep)) / (1 - beta1 ** this.adamStep);
    const correctedEpsilon = epsilon * Math.sqrt(1 - beta2 ** this.adamStep);
    this.kernels.adamStep(
      0,
      this.gradientStart,
      this.firstMomentStart,
      this.secondMomentStart,
      this.parameterCount,
      gradientScale,
      correctedRate,
      beta1,
      beta2,
      correctedEpsilon,
    );
  }

  /** Forgets the Adam moments (e.g. between behaviour cloning and the main objective). */
  resetOptimiser(): void {
    this.kernels.heap.fill(0, this.firstMomentStart, this.activationStart);
    this.adamStep = 0;
  }

  /** Copies of the layers in the neutral format. */
  getWeights(): DenseLayerWeights[] {
    return this.copyLayers('weights', 'bias');
  }

  /** Copies of the parameter gradients of the last `backward`, in the neutral layer format. */
  getGradients(): DenseLayerWeights[] {
    return this.copyLayers('weightGradient', 'biasGradient');
  }

  /** Copies, per layer, of the kernel and bias stored at the layout's `kernelAt` and `biasAt` offsets. */
  private copyLayers(kernelAt: 'weights' | 'weightGradient', biasAt: 'bias' | 'biasGradient'): DenseLayerWeights[] {
    const heap = this.kernels.heap;
    return this.layers.map((layer) => ({
      inputSize: layer.inputSize,
      outputSize: layer.outputSize,
      kernel: heap.slice(layer[kernelAt], layer[kernelAt] + layer.inputSize * layer.outputSize),
      bias: heap.slice(layer[biasAt], layer[biasAt] + layer.outputSize),
      activation: layer.relu ? 'relu' : 'linear',
    }));
  }

  /** Replaces the parameters; the shapes must match this network's. */
  setWeights(layers: readonly DenseLayerWeights[]): void {
    if (layers.length !== this.layers.length) {
      throw new RangeError(`setWeights: expected ${this.layers.length} layers, got ${layers.length}`);
    }
    const heap = this.kernels.heap;
    layers.forEach((source, index) => {
      const layer = this.layers[index]!;
      if (
        source.inputSize !== layer.inputSize ||
        source.outputSize !== layer.outputSize ||
        source.kernel.length !== layer.inputSize * layer.outputSize ||
        source.bias.length !== layer.outputSize
      ) {
        throw new RangeError(`setWeights: layer ${index} has shape ${source.inputSize}×${source.outputSize}, expected ${layer.inputSize}×${layer.outputSize}`);
      }
      heap.set(source.kernel, layer.weights);
      heap.set(source.bias, layer.bias);
    });
  }
}
