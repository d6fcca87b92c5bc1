import type { DenseNetwork } from '../artifact/model-artifact';
import { checkedMaxBatch, DenseRuntimeBase } from './dense-runtime-base';

interface PreparedLayer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly relu: boolean;
  /** Transposed kernel `[outputSize][inputSize]` in float64, so each output is a dot product over contiguous memory. */
  readonly transposed: Float64Array;
  readonly bias: Float64Array;
}

/**
 * Forward pass in plain TypeScript: four outputs at a time, each with its own accumulator, so every input is loaded
 * once for four independent multiply-adds; weights and activations are float64 (no float32 conversions in the inner
 * loop, and every array access is monomorphic). Buffers are allocated once. The fallback when WebAssembly SIMD is
 * unavailable. Measured ~30 % faster than two outputs × two accumulators over float32 weights.
 */
export class TypescriptDenseRuntime extends DenseRuntimeBase {
  readonly kind = 'typescript' as const;
  readonly #layers: readonly PreparedLayer[];
  /** One row's input, then each layer's activations, in float64. */
  readonly #activations: readonly Float64Array[];

  constructor(network: DenseNetwork, maxBatch = 1) {
    const rows = checkedMaxBatch(maxBatch);
    const { inputSize, outputSize } = network;
    super(inputSize, outputSize, outputSize, rows, new Float32Array(rows * inputSize), new Float32Array(rows * outputSize));
    this.#layers = network.layers.map((layer) => {
      const transposed = new Float64Array(layer.inputSize * layer.outputSize);
      for (let input = 0; input < layer.inputSize; input += 1) {
        for (let output = 0; output < layer.outputSize; output += 1) {
          transposed[output * layer.inputSize + input] = layer.kernel[input * layer.outputSize + output]!;
        }
      }
      return { inputSize: layer.inputSize, outputSize: layer.outputSize, relu: layer.activation === 'relu', transposed, bias: Float64Array.from(layer.bias) };
    });
    this.#activations = [new Float64Array(network.inputSize), ...network.layers.map((layer) => new Float64Array(layer.outputSize))];
  }

  protected forward(rows: number): void {
    const layers = this.#layers;
    const activations = this.#activations;
    const first = activations[0]!;
    const last = activations[layers.length]!;
    for (let row = 0; row < rows; row += 1) {
      const inputOffset = row * this.inputSize;
      for (let index = 0; index < this.inputSize; index += 1) first[index] = this.input[inputOffset + index]!;
      for (let index = 0; index < layers.length; index += 1) denseForward(layers[index]!, activations[index]!, activations[index + 1]!);
      const outputOffset = row * this.outputStride;
      for (let index = 0; index < this.outputSize; index += 1) this.output[outputOffset + index] = last[index]!;
    }
  }
}

function activate(value: number, relu: boolean): number {
  // `value > 0 || value !== value` keeps NaN (so callers can detect it) while clamping negatives.
  return relu && !(value > 0 || value !== value) ? 0 : value;
}

function denseForward(layer: PreparedLayer, source: Float64Array, target: Float64Array): void {
  const { inputSize, outputSize, transposed, bias, relu } = layer;
  let output = 0;
  for (; output + 3 < outputSize; output += 4) {
    const row0 = output * inputSize;
    const row1 = row0 + inputSize;
    const row2 = row1 + inputSize;
    const row3 = row2 + inputSize;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let input = 0; input < inputSize; input += 1) {
      const value = source[input]!;
      sum0 += value * transposed[row0 + input]!;
      sum1 += value * transposed[row1 + input]!;
      sum2 += value * transposed[row2 + input]!;
      sum3 += value * transposed[row3 + input]!;
    }
    target[output] = activate(bias[output]! + sum0, relu);
    target[output + 1] = activate(bias[output + 1]! + sum1, relu);
    target[output + 2] = activate(bias[output + 2]! + sum2, relu);
    target[output + 3] = activate(bias[output + 3]! + sum3, relu);
  }
  for (; output < outputSize; output += 1) {
    const row = output * inputSize;
    let sum = 0;
    for (let input = 0; input < inputSize; input += 1) sum += source[input]! * transposed[row + input]!;
    target[output] = activate(bias[output]! + sum, relu);
  }
}
