import type { DenseNetwork } from '../artifact/model-artifact';
import { wasmBase64 } from './dense-kernel-bytes';
import { checkedMaxBatch, DenseRuntimeBase } from './dense-runtime-base';
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
 * Instantiates the kernel and lays `network` out in its memory: [kernels and biases][input rows][activation rows of
 * each layer], columns padded to multiples of 16; `input` and `output` are views into that memory.
 */
function placeNetwork(network: DenseNetwork, maxBatch: number): { kernel: KernelExports; layers: PlacedLayer[]; outputStride: number; input: Float32Array; output: Float32Array } {
  const module = denseKernelModule();
  if (module === null) throw new Error('WebAssembly SIMD is not available in this engine');
  const instance = module.instantiate<KernelExports>();
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
  const memory = instance.memory;
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
  const layers = padded.map(({ layer, inputStride, outputStride }, index) => ({
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
  return {
    kernel: instance,
    layers,
    outputStride: last.outputStride,
    input: new Float32Array(memory.buffer, inputAddress, maxBatch * network.inputSize),
    output: new Float32Array(memory.buffer, activations[activations.length - 1]!, maxBatch * last.outputStride),
  };
}

/**
 * Forward pass through the hand-written WebAssembly SIMD kernel (`dense-kernel.wat`): weights and activation buffers
 * live in the instance's own memory, `input` and `output` are views into it, so a decision copies nothing and
 * crosses into WebAssembly once per layer. Columns are zero-padded to multiples of 16.
 */
export class WasmDenseRuntime extends DenseRuntimeBase {
  readonly kind = 'wasm-simd' as const;
  readonly #kernel: KernelExports;
  readonly #layers: readonly PlacedLayer[];

  constructor(network: DenseNetwork, maxBatch = 1) {
    const placed = placeNetwork(network, checkedMaxBatch(maxBatch));
    super(network.inputSize, network.outputSize, placed.outputStride, maxBatch, placed.input, placed.output);
    this.#kernel = placed.kernel;
    this.#layers = placed.layers;
  }

  protected forward(rows: number): void {
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
