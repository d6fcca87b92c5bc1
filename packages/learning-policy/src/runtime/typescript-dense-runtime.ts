import type { DenseNetwork } from '../artifact/model-artifact';
import type { DenseRuntime } from './dense-runtime';

interface PreparedLayer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly relu: boolean;
  /** Transposed kernel `[outputSize][inputSize]`, so each output is a dot product over contiguous memory. */
  readonly transposed: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Forward pass in plain TypeScript: each output is a dot product over a transposed kernel two outputs at a time with
 * four independent accumulators (so the additions do not wait on each other), into buffers allocated once. The fallback when
 * WebAssembly SIMD is unavailable.
 */
export class TypescriptDenseRuntime implements DenseRuntime {
  readonly kind = 'typescript' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputStride: number;
  readonly maxBatch: number;
  readonly input: Float32Array;
  readonly output: Float32Array;
  readonly #layers: readonly PreparedLayer[];
  /** Activations of each hidden layer for one row. */
  readonly #hidden: readonly Float32Array[];

  constructor(network: DenseNetwork, maxBatch = 1) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
    this.inputSize = network.inputSize;
    this.outputSize = network.outputSize;
    this.outputStride = network.outputSize;
    this.maxBatch = maxBatch;
    this.input = new Float32Array(maxBatch * network.inputSize);
    this.output = new Float32Array(maxBatch * network.outputSize);
    this.#layers = network.layers.map((layer) => {
      const transposed = new Float32Array(layer.inputSize * layer.outputSize);
      for (let input = 0; input < layer.inputSize; input += 1) {
        for (let output = 0; output < layer.outputSize; output += 1) {
          transposed[output * layer.inputSize + input] = layer.kernel[input * layer.outputSize + output]!;
        }
      }
      return { inputSize: layer.inputSize, outputSize: layer.outputSize, relu: layer.activation === 'relu', transposed, bias: Float32Array.from(layer.bias) };
    });
    this.#hidden = network.layers.slice(0, -1).map((layer) => new Float32Array(layer.outputSize));
  }

  run(rows = 1): void {
    if (rows > this.maxBatch) throw new RangeError(`rows ${rows} exceeds maxBatch ${this.maxBatch}`);
    const layers = this.#layers;
    const last = layers.length - 1;
    for (let row = 0; row < rows; row += 1) {
      let source = this.input;
      let sourceOffset = row * this.inputSize;
      for (let index = 0; index <= last; index += 1) {
        const layer = layers[index]!;
        const target = index === last ? this.output : this.#hidden[index]!;
        const targetOffset = index === last ? row * this.outputStride : 0;
        denseForward(layer, source, sourceOffset, target, targetOffset);
        source = target;
        sourceOffset = 0;
      }
    }
  }
}

function activate(value: number, relu: boolean): number {
  // `value > 0 || value !== value` keeps NaN (so callers can detect it) while clamping negatives.
  return relu && !(value > 0 || value !== value) ? 0 : value;
}

/**
 * Two outputs at a time, each with two accumulators: four independent sums per step, and each input loaded once
 * for both outputs. Measured ~10 % faster than one output with four accumulators, ~25 % faster than the
 * row-major axpy form.
 */
function denseForward(layer: PreparedLayer, source: Float32Array, sourceOffset: number, target: Float32Array, targetOffset: number): void {
  const { inputSize, outputSize, transposed, bias, relu } = layer;
  const pairEnd = inputSize - (inputSize % 2);
  let output = 0;
  for (; output + 1 < outputSize; output += 2) {
    const first = output * inputSize;
    const second = first + inputSize;
    let firstEven = 0;
    let firstOdd = 0;
    let secondEven = 0;
    let secondOdd = 0;
    let input = 0;
    for (; input < pairEnd; input += 2) {
      const even = source[sourceOffset + input]!;
      const odd = source[sourceOffset + input + 1]!;
      firstEven += even * transposed[first + input]!;
      firstOdd += odd * transposed[first + input + 1]!;
      secondEven += even * transposed[second + input]!;
      secondOdd += odd * transposed[second + input + 1]!;
    }
    if (input < inputSize) {
      const last = source[sourceOffset + input]!;
      firstEven += last * transposed[first + input]!;
      secondEven += last * transposed[second + input]!;
    }
    target[targetOffset + output] = activate(bias[output]! + (firstEven + firstOdd), relu);
    target[targetOffset + output + 1] = activate(bias[output + 1]! + (secondEven + secondOdd), relu);
  }
  if (output < outputSize) {
    const row = output * inputSize;
    let sum = 0;
    for (let input = 0; input < inputSize; input += 1) sum += source[sourceOffset + input]! * transposed[row + input]!;
    target[targetOffset + output] = activate(bias[output]! + sum, relu);
  }
}
