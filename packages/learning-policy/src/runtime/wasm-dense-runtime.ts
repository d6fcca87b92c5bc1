import type { DenseNetwork } from '../artifact/model-artifact';
import { wasmBase64 } from './dense-kernel-bytes';
import type { DenseRuntime } from './dense-runtime';
import { lazyWasmModule } from './wasm-module';

const columnBlock = 16;
const pageBytes = 65536;

/** The compiled kernel, or null when this engine cannot compile WebAssembly SIMD. Compiled once, synchronously. */
const denseKernelModule = lazyWasmModule(wasmBase64);

/** True when the WebAssembly SIMD kernel can run here. */
export function isWasmSimdAvailable(): boolean {
  return denseKernelModule() !== null;
}

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dense(x: number, w: number, b: number, y: number, inputSize: number, outputStride: number, relu: number): void;
  denseBatch(x: number, w: number, b: number, y: number, inputSize: number, inputStride: number, outputStride: number, relu: number, rows: number): void;
}

interface PlacedLayer {
  readonly inputSize: number;
  readonly inputStride: number;
  readonly outputStride: number;
  readonly relu: number;
  readonly kernel: number;
  readonly bias: number;
  readonly source: number;
  readonly target: number;
}

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Forward pass through the hand-written WebAssembly SIMD kernel (`dense-kernel.wat`): weights and activation buffers
 * live in the instance's own memory, `input` and `output` are views into it, so a decision copies nothing and
 * crosses into WebAssembly once per layer. Columns are zero-padded to multiples of 16.
 */
export class WasmDenseRuntime implements DenseRuntime {
  readonly kind = 'wasm-simd' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly outputStride: number;
  readonly maxBatch: number;
  readonly input: Float32Array;
  readonly output: Float32Array;
  readonly #kernel: KernelExports;
  readonly #layers: readonly PlacedLayer[];

  constructor(network: DenseNetwork, maxBatch = 1) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
    const module = denseKernelModule();
    if (module === null) throw new Error('WebAssembly SIMD is not available in this engine');
    this.#kernel = module.instantiate<KernelExports>();
    this.inputSize = network.inputSize;
    this.outputSize = network.outputSize;
    this.maxBatch = maxBatch;

    // Plan the memory: [kernels and biases][input rows][activation rows of each layer].
    let cursor = 0;
    const allocate = (floats: number) => {
      const address = cursor;
      cursor += roundUp(floats * 4, 16);
      return address;
    };
    const padded = network.layers.map((layer, index) => ({
      layer,
      inputStride: index === 0 ? layer.inputSize : roundUp(network.layers[index - 1]!.outputSize, columnBlock),
      outputStride: roundUp(layer.outputSize, columnBlock),
    }));
    const weights = padded.map(({ inputStride, outputStride }) => ({ kernel: allocate(inputStride * outputStride), bias: allocate(outputStride) }));
    const inputAddress = allocate(maxBatch * network.inputSize);
    const activations = padded.map(({ outputStride }) => allocate(maxBatch * outputStride));
    const memory = this.#kernel.memory;
    const pagesNeeded = Math.ceil(cursor / pageBytes);
    const pagesHave = memory.buffer.byteLength / pageBytes;
    if (pagesNeeded > pagesHave) memory.grow(pagesNeeded - pagesHave);

    const floats = new Float32Array(memory.buffer);
    padded.forEach(({ layer, outputStride }, index) => {
      const { kernel, bias } = weights[index]!;
      for (let input = 0; input < layer.inputSize; input += 1) {
        floats.set(layer.kernel.subarray(input * layer.outputSize, (input + 1) * layer.outputSize), kernel / 4 + input * outputStride);
      }
      floats.set(layer.bias, bias / 4);
    });
    this.#layers = padded.map(({ layer, inputStride, outputStride }, index) => ({
      inputSize: index === 0 ? layer.inputSize : inputStride,
      inputStride,
      outputStride,
      relu: layer.activation === 'relu' ? 1 : 0,
      kernel: weights[index]!.kernel,
      bias: weights[index]!.bias,
      source: index === 0 ? inputAddress : activations[index - 1]!,
      target: activations[index]!,
    }));
    const last = padded[padded.length - 1]!;
    this.outputStride = last.outputStride;
    this.input = new Float32Array(memory.buffer, inputAddress, maxBatch * network.inputSize);
    this.output = new Float32Array(memory.buffer, activations[activations.length - 1]!, maxBatch * last.outputStride);
  }

  run(rows = 1): void {
    if (rows > this.maxBatch) throw new RangeError(`rows ${rows} exceeds maxBatch ${this.maxBatch}`);
    const kernel = this.#kernel;
    const layers = this.#layers;
    if (rows === 1) {
      for (let index = 0; index < layers.length; index += 1) {
        const layer = layers[index]!;
        kernel.dense(layer.source, layer.kernel, layer.bias, layer.target, layer.inputSize, layer.outputStride, layer.relu);
      }
      return;
    }
    for (let index = 0; index < layers.length; index += 1) {
      const layer = layers[index]!;
      kernel.denseBatch(layer.source, layer.kernel, layer.bias, layer.target, layer.inputSize, layer.inputStride, layer.outputStride, layer.relu, rows);
    }
  }
}
