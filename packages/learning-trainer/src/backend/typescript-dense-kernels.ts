import type { AdamStepArguments, DenseForwardArguments, DenseInputGradientArguments, DenseKernels, DenseWeightGradientArguments } from './dense-kernels';

/** Plain-TypeScript kernels: the reference implementation and the fallback when WebAssembly SIMD is missing. */
export class TypescriptDenseKernels implements DenseKernels {
  readonly kind = 'typescript' as const;
  heap: Float32Array;

  constructor(initialFloats = 1024) {
    this.heap = new Float32Array(initialFloats);
  }

  reserve(floatCount: number): void {
    if (floatCount <= this.heap.length) return;
    const grown = new Float32Array(Math.max(floatCount, this.heap.length * 2));
    grown.set(this.heap);
    this.heap = grown;
  }

  denseForward(...[input, weights, bias, output, batch, inputSize, outputSize, relu]: DenseForwardArguments): void {
    const heap = this.heap;
    for (let row = 0; row < batch; row++) {
      const outputRow = output + row * outputSize;
      const inputRow = input + row * inputSize;
      for (let column = 0; column < outputSize; column++) heap[outputRow + column] = heap[bias + column]!;
      for (let inner = 0; inner < inputSize; inner++) {
        const value = heap[inputRow + inner]!;
        // ReLU activations are about half zeros: skipping them halves the work of the hidden layers.
        if (value === 0) continue;
        const weightRow = weights + inner * outputSize;
        for (let column = 0; column < outputSize; column++) heap[outputRow + column]! += value * heap[weightRow + column]!;
      }
      if (relu) {
        for (let column = 0; column < outputSize; column++) {
          if (!(heap[outputRow + column]! > 0)) heap[outputRow + column] = 0;
        }
      }
    }
  }

  denseWeightGradient(...[input, outputGradient, weightGradient, batch, inputSize, outputSize]: DenseWeightGradientArguments): void {
    const heap = this.heap;
    heap.fill(0, weightGradient, weightGradient + inputSize * outputSize);
    for (let row = 0; row < batch; row++) {
      const inputRow = input + row * inputSize;
      const gradientRow = outputGradient + row * outputSize;
      for (let inner = 0; inner < inputSize; inner++) {
        const value = heap[inputRow + inner]!;
        if (value === 0) continue;
        const target = weightGradient + inner * outputSize;
        for (let column = 0; column < outputSize; column++) heap[target + column]! += value * heap[gradientRow + column]!;
      }
    }
  }

  denseInputGradient(...[outputGradient, weights, input, inputGradient, batch, inputSize, outputSize, reluMask]: DenseInputGradientArguments): void {
    const heap = this.heap;
    for (let row = 0; row < batch; row++) {
      const gradientRow = outputGradient + row * outputSize;
      for (let inner = 0; inner < inputSize; inner++) {
        const target = inputGradient + row * inputSize + inner;
        if (reluMask && !(heap[input + row * inputSize + inner]! > 0)) {
          heap[target] = 0;
          continue;
        }
        const weightRow = weights + inner * outputSize;
        let sum = 0;
        for (let column = 0; column < outputSize; column++) sum += heap[gradientRow + column]! * heap[weightRow + column]!;
        heap[target] = sum;
      }
    }
  }

  adamStep(...[parameters, gradients, firstMoments, secondMoments, count, gradientScale, rate, beta1, beta2, epsilon]: AdamStepArguments): void {
    const heap = this.heap;
    for (let offset = 0; offset < count; offset++) {
      const gradient = heap[gradients + offset]! * gradientScale;
      const first = beta1 * heap[firstMoments + offset]! + (1 - beta1) * gradient;
      const second = beta2 * heap[secondMoments + offset]! + (1 - beta2) * gradient * gradient;
      heap[firstMoments + offset] = first;
      heap[secondMoments + offset] = second;
      heap[parameters + offset]! -= (rate * first) / (Math.sqrt(second) + epsilon);
    }
  }

  sumOfSquares(start: number, count: number): number {
    const heap = this.heap;
    let sum = 0;
    for (let offset = start; offset < start + count; offset++) sum += heap[offset]! * heap[offset]!;
    return sum;
  }
}
