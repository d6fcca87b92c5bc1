import type { DenseKernels } from './dense-kernels';
import { FunctionBuilder, assembleModule, opcode, valueType } from './wasm-code-builder';

const { i32, f32, v128 } = valueType;
const pageBytes = 65536;

/** Emits `target[c] += splat · source[c]` for c over one row (SIMD part, then the scalar tail). */
function emitRowAxpy(
  code: FunctionBuilder,
  locals: { target: number; source: number; column: number; vectorBytes: number; rowBytes: number; value: number; splat: number },
): void {
  const { target, source, column, vectorBytes, rowBytes, value, splat } = locals;
  code.i32(0).set(column);
  code.whileLoop(
    () => code.get(column).get(vectorBytes).op(opcode.i32LtU),
    () => {
      code.get(target).get(column).op(opcode.i32Add);
      code.get(target).get(column).op(opcode.i32Add).loadV128();
      code.get(source).get(column).op(opcode.i32Add).loadV128();
      code.get(splat).simd(opcode.f32x4Mul).simd(opcode.f32x4Add).storeV128();
      code.increment(column, 16);
    },
  );
  code.whileLoop(
    () => code.get(column).get(rowBytes).op(opcode.i32LtU),
    () => {
      code.get(target).get(column).op(opcode.i32Add);
      code.get(target).get(column).op(opcode.i32Add).loadF32();
      code.get(source).get(column).op(opcode.i32Add).loadF32();
      code.get(value).op(opcode.f32Mul, opcode.f32Add).storeF32();
      code.increment(column, 4);
    },
  );
}

/** Emits `rowBytes = outputSize · 4` and `vectorBytes = (outputSize rounded down to 4) · 4`. */
function emitRowSizes(code: FunctionBuilder, outputSize: number, rowBytes: number, vectorBytes: number): void {
  code.get(outputSize).i32(2).op(opcode.i32Shl).set(rowBytes);
  code.get(outputSize).i32(-4).op(opcode.i32And).i32(2).op(opcode.i32Shl).set(vectorBytes);
}

function buildForward(): FunctionBuilder {
  // (input, weights, bias, output, batch, inputSize, outputSize, relu): pointers in bytes.
  const code = new FunctionBuilder('denseForward', [i32, i32, i32, i32, i32, i32, i32, i32]);
  const [input, weights, bias, output, batch, inputSize, outputSize, relu] = [0, 1, 2, 3, 4, 5, 6, 7];
  const rowBytes = code.local(i32);
  const vectorBytes = code.local(i32);
  const outputRow = code.local(i32);
  const outputEnd = code.local(i32);
  const inputPointer = code.local(i32);
  const inputEnd = code.local(i32);
  const weightRow = code.local(i32);
  const column = code.local(i32);
  const value = code.local(f32);
  const splat = code.local(v128);
  const zero = code.local(v128);
  emitRowSizes(code, outputSize, rowBytes, vectorBytes);
  code.get(output).set(outputRow);
  code.get(output).get(batch).get(rowBytes).op(opcode.i32Mul, opcode.i32Add).set(outputEnd);
  code.get(input).set(inputPointer);
  code.f32(0).simd(opcode.f32x4Splat).set(zero);
  code.whileLoop(
    () => code.get(outputRow).get(outputEnd).op(opcode.i32LtU),
    () => {
      // output row = bias
      code.i32(0).set(column);
      code.whileLoop(
        () => code.get(column).get(vectorBytes).op(opcode.i32LtU),
        () => {
          code.get(outputRow).get(column).op(opcode.i32Add);
          code.get(bias).get(column).op(opcode.i32Add).loadV128().storeV128();
          code.increment(column, 16);
        },
      );
      code.whileLoop(
        () => code.get(column).get(rowBytes).op(opcode.i32LtU),
        () => {
          code.get(outputRow).get(column).op(opcode.i32Add);
          code.get(bias).get(column).op(opcode.i32Add).loadF32().storeF32();
          code.increment(column, 4);
        },
      );
      // output row += input[row][k] · weights[k]
      code.get(weights).set(weightRow);
      code.get(inputPointer).get(inputSize).i32(2).op(opcode.i32Shl, opcode.i32Add).set(inputEnd);
      code.whileLoop(
        () => code.get(inputPointer).get(inputEnd).op(opcode.i32LtU),
        () => {
          code.get(inputPointer).loadF32().set(value);
          code.ifElse(
            () => code.get(value).f32(0).op(opcode.f32Ne),
            () => {
              code.get(value).simd(opcode.f32x4Splat).set(splat);
              emitRowAxpy(code, { target: outputRow, source: weightRow, column, vectorBytes, rowBytes, value, splat });
            },
          );
          code.get(weightRow).get(rowBytes).op(opcode.i32Add).set(weightRow);
          code.increment(inputPointer, 4);
        },
      );
      code.ifElse(
        () => code.get(relu),
        () => {
          code.i32(0).set(column);
          code.whileLoop(
            () => code.get(column).get(vectorBytes).op(opcode.i32LtU),
            () => {
              code.get(outputRow).get(column).op(opcode.i32Add);
              code.get(outputRow).get(column).op(opcode.i32Add).loadV128();
              code.get(zero).simd(opcode.f32x4Max).storeV128();
              code.increment(column, 16);
            },
          );
          code.whileLoop(
            () => code.get(column).get(rowBytes).op(opcode.i32LtU),
            () => {
              code.get(outputRow).get(column).op(opcode.i32Add);
              code.get(outputRow).get(column).op(opcode.i32Add).loadF32();
              code.f32(0).op(opcode.f32Max).storeF32();
              code.increment(column, 4);
            },
          );
        },
      );
      code.get(outputRow).get(rowBytes).op(opcode.i32Add).set(outputRow);
    },
  );
  return code;
}

function buildWeightGradient(): FunctionBuilder {
  // (input, outputGradient, weightGradient, batch, inputSize, outputSize); weightGradient must be zeroed.
  const code = new FunctionBuilder('denseWeightGradient', [i32, i32, i32, i32, i32, i32]);
  const [input, outputGradient, weightGradient, batch, inputSize, outputSize] = [0, 1, 2, 3, 4, 5];
  const rowBytes = code.local(i32);
  const vectorBytes = code.local(i32);
  const gradientRow = code.local(i32);
  const gradientEnd = code.local(i32);
  const inputPointer = code.local(i32);
  const inputEnd = code.local(i32);
  const targetRow = code.local(i32);
  const column = code.local(i32);
  const value = code.local(f32);
  const splat = code.local(v128);
  emitRowSizes(code, outputSize, rowBytes, vectorBytes);
  code.get(outputGradient).set(gradientRow);
  code.get(outputGradient).get(batch).get(rowBytes).op(opcode.i32Mul, opcode.i32Add).set(gradientEnd);
  code.get(input).set(inputPointer);
  code.whileLoop(
    () => code.get(gradientRow).get(gradientEnd).op(opcode.i32LtU),
    () => {
      code.get(weightGradient).set(targetRow);
      code.get(inputPointer).get(inputSize).i32(2).op(opcode.i32Shl, opcode.i32Add).set(inputEnd);
      code.whileLoop(
        () => code.get(inputPointer).get(inputEnd).op(opcode.i32LtU),
        () => {
          code.get(inputPointer).loadF32().set(value);
          code.ifElse(
            () => code.get(value).f32(0).op(opcode.f32Ne),
            () => {
              code.get(value).simd(opcode.f32x4Splat).set(splat);
              emitRowAxpy(code, { target: targetRow, source: gradientRow, column, vectorBytes, rowBytes, value, splat });
            },
          );
          code.get(targetRow).get(rowBytes).op(opcode.i32Add).set(targetRow);
          code.increment(inputPointer, 4);
        },
      );
      code.get(gradientRow).get(rowBytes).op(opcode.i32Add).set(gradientRow);
    },
  );
  return code;
}

function buildInputGradient(): FunctionBuilder {
  // (outputGradient, weights, input, inputGradient, batch, inputSize, outputSize, reluMask)
  const code = new FunctionBuilder('denseInputGradient', [i32, i32, i32, i32, i32, i32, i32, i32]);
  const [outputGradient, weights, input, inputGradient, batch, inputSize, outputSize, reluMask] = [0, 1, 2, 3, 4, 5, 6, 7];
  const rowBytes = code.local(i32);
  const vectorBytes = code.local(i32);
  const gradientRow = code.local(i32);
  const gradientEnd = code.local(i32);
  const inputPointer = code.local(i32);
  const inputEnd = code.local(i32);
  const targetPointer = code.local(i32);
  const weightRow = code.local(i32);
  const column = code.local(i32);
  const sum = code.local(f32);
  const accumulator = code.local(v128);
  emitRowSizes(code, outputSize, rowBytes, vectorBytes);
  code.get(outputGradient).set(gradientRow);
  code.get(outputGradient).get(batch).get(rowBytes).op(opcode.i32Mul, opcode.i32Add).set(gradientEnd);
  code.get(input).set(inputPointer);
  code.get(inputGradient).set(targetPointer);
  code.whileLoop(
    () => code.get(gradientRow).get(gradientEnd).op(opcode.i32LtU),
    () => {
      code.get(weights).set(weightRow);
      code.get(inputPointer).get(inputSize).i32(2).op(opcode.i32Shl, opcode.i32Add).set(inputEnd);
      code.whileLoop(
        () => code.get(inputPointer).get(inputEnd).op(opcode.i32LtU),
        () => {
          code.ifElse(
            () => code.get(reluMask).get(inputPointer).loadF32().f32(0).op(opcode.f32Gt, opcode.i32Eqz, opcode.i32And),
            () => code.get(targetPointer).f32(0).storeF32(),
            () => {
              code.f32(0).simd(opcode.f32x4Splat).set(accumulator);
              code.i32(0).set(column);
              code.whileLoop(
                () => code.get(column).get(vectorBytes).op(opcode.i32LtU),
                () => {
                  code.get(accumulator);
                  code.get(gradientRow).get(column).op(opcode.i32Add).loadV128();
                  code.get(weightRow).get(column).op(opcode.i32Add).loadV128();
                  code.simd(opcode.f32x4Mul).simd(opcode.f32x4Add).set(accumulator);
                  code.increment(column, 16);
                },
              );
              code.get(accumulator).simd(opcode.f32x4ExtractLane, 0);
              code.get(accumulator).simd(opcode.f32x4ExtractLane, 1).op(opcode.f32Add);
              code.get(accumulator).simd(opcode.f32x4ExtractLane, 2).op(opcode.f32Add);
              code.get(accumulator).simd(opcode.f32x4ExtractLane, 3).op(opcode.f32Add).set(sum);
              code.whileLoop(
                () => code.get(column).get(rowBytes).op(opcode.i32LtU),
                () => {
                  code.get(sum);
                  code.get(gradientRow).get(column).op(opcode.i32Add).loadF32();
                  code.get(weightRow).get(column).op(opcode.i32Add).loadF32();
                  code.op(opcode.f32Mul, opcode.f32Add).set(sum);
                  code.increment(column, 4);
                },
              );
              code.get(targetPointer).get(sum).storeF32();
            },
          );
          code.get(weightRow).get(rowBytes).op(opcode.i32Add).set(weightRow);
          code.increment(inputPointer, 4);
          code.increment(targetPointer, 4);
        },
      );
      code.get(gradientRow).get(rowBytes).op(opcode.i32Add).set(gradientRow);
    },
  );
  return code;
}

/** The part of the WebAssembly JS API used here (the DOM lib that declares it is not in this package's types). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
function buildAdam(): FunctionBuilder {
  // (parameters, gradients, first, second, count, gradientScale, rate, beta1, beta2, epsilon)
  const code = new FunctionBuilder('adamStep', [i32, i32, i32, i32, i32, f32, f32, f32, f32, f32]);
  const [parameters, gradients, first, second, count, gradientScale, rate, beta1, beta2, epsilon] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const offset = code.local(i32);
  const end = code.local(i32);
  const gradient = code.local(v128);
  const firstMoment = code.local(v128);
  const secondMoment = code.local(v128);
  const splats = [gradientScale, rate, beta1, beta2, epsilon].map(() => code.local(v128));
  const [scaleVector, rateVector, beta1Vector, beta2Vector, epsilonVector] = splats as [number, number, number, number, number];
  const oneMinusBeta1 = code.local(v128);
  const oneMinusBeta2 = code.local(v128);
  [gradientScale, rate, beta1, beta2, epsilon].forEach((parameter, index) => code.get(parameter).simd(opcode.f32x4Splat).set(splats[index]!));
  code.f32(1).simd(opcode.f32x4Splat).get(beta1Vector).simd(opcode.f32x4Sub).set(oneMinusBeta1);
  code.f32(1).simd(opcode.f32x4Splat).get(beta2Vector).simd(opcode.f32x4Sub).set(oneMinusBeta2);
  code.get(count).i32(2).op(opcode.i32Shl).set(end);
  code.i32(0).set(offset);
  code.whileLoop(
    () => code.get(offset).get(end).op(opcode.i32LtU),
    () => {
      code.get(gradients).get(offset).op(opcode.i32Add).loadV128().get(scaleVector).simd(opcode.f32x4Mul).set(gradient);
      // m = β1·m + (1 − β1)·g
      code.get(beta1Vector).get(first).get(offset).op(opcode.i32Add).loadV128().simd(opcode.f32x4Mul);
      code.get(oneMinusBeta1).get(gradient).simd(opcode.f32x4Mul).simd(opcode.f32x4Add).set(firstMoment);
      code.get(first).get(offset).op(opcode.i32Add).get(firstMoment).storeV128();
      // v = β2·v + (1 − β2)·g²
      code.get(beta2Vector).get(second).get(offset).op(opcode.i32Add).loadV128().simd(opcode.f32x4Mul);
      code.get(oneMinusBeta2).get(gradient).simd(opcode.f32x4Mul).get(gradient).simd(opcode.f32x4Mul).simd(opcode.f32x4Add).set(secondMoment);
      code.get(second).get(offset).op(opcode.i32Add).get(secondMoment).storeV128();
      // θ −= rate·m / (√v + ε)
      code.get(parameters).get(offset).op(opcode.i32Add);
      code.get(parameters).get(offset).op(opcode.i32Add).loadV128();
      code.get(rateVector).get(firstMoment).simd(opcode.f32x4Mul);
      code.get(secondMoment).simd(opcode.f32x4Sqrt).get(epsilonVector).simd(opcode.f32x4Add);
      code.simd(opcode.f32x4Div).simd(opcode.f32x4Sub).storeV128();
      code.increment(offset, 16);
    },
  );
  return code;
}

function buildSumOfSquares(): FunctionBuilder {
  // (start, count, output): writes the sum to `output`.
  const code = new FunctionBuilder('sumOfSquares', [i32, i32, i32]);
  const [start, count, output] = [0, 1, 2];
  const pointer = code.local(i32);
  const end = code.local(i32);
  const accumulator = code.local(v128);
  const value = code.local(v128);
  code.get(start).set(pointer);
  code.get(start).get(count).i32(2).op(opcode.i32Shl, opcode.i32Add).set(end);
  code.f32(0).simd(opcode.f32x4Splat).set(accumulator);
  code.whileLoop(
    () => code.get(pointer).get(end).op(opcode.i32LtU),
    () => {
      code.get(pointer).loadV128().set(value);
      code.get(accumulator).get(value).get(value).simd(opcode.f32x4Mul).simd(opcode.f32x4Add).set(accumulator);
      code.increment(pointer, 16);
    },
  );
  code.get(output);
  code.get(accumulator).simd(opcode.f32x4ExtractLane, 0);
  code.get(accumulator).simd(opcode.f32x4ExtractLane, 1).op(opcode.f32Add);
  code.get(accumulator).simd(opcode.f32x4ExtractLane, 2).op(opcode.f32Add);
  code.get(accumulator).simd(opcode.f32x4ExtractLane, 3).op(opcode.f32Add);
  code.storeF32();
  return code;
}

let compiledModule: object | null | undefined;

/** The compiled kernel module, or null when this runtime lacks WebAssembly SIMD. Compiled once per process. */
function kernelModule(): object | null {
  if (compiledModule !== undefined) return compiledModule;
  try {
    const bytes = assembleModule([buildForward(), buildWeightGradient(), buildInputGradient(), buildAdam(), buildSumOfSquares()], 1);
    compiledModule = webAssembly !== undefined && webAssembly.validate(bytes) ? new webAssembly.Module(bytes) : null;
  } catch {
    compiledModule = null;
  }
  return compiledModule ?? null;
}

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
 * WebAssembly SIMD kernels (f32x4), generated at load time by `wasm-code-builder`. One instance owns one linear
 * memory; `reserve` grows it and refreshes `heap`.
 */
export class WasmDenseKernels implements DenseKernels {
  readonly name = 'wasm' as const;
  heap: Float32Array;
  private readonly exports: KernelExports;

  constructor() {
    const module = kernelModule();
    if (module === null || webAssembly === undefined) throw new Error('WebAssembly SIMD is not available in this runtime');
    this.exports = new webAssembly.Instance(module, {}).exports as unknown as KernelExports;
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  reserve(floatCount: number): void {
    if (floatCount <= this.heap.length) return;
    const neededPages = Math.ceil((floatCount * 4) / pageBytes);
    const currentPages = this.exports.memory.buffer.byteLength / pageBytes;
    this.exports.memory.grow(Math.max(neededPages - currentPages, currentPages));
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  denseForward(
    input: number,
    weights: number,
    bias: number,
    output: number,
    batch: number,
    inputSize: number,
    outputSize: number,
    relu: boolean,
  ): void {
    this.exports.denseForward(input * 4, weights * 4, bias * 4, output * 4, batch, inputSize, outputSize, relu ? 1 : 0);
  }

  denseWeightGradient(
    input: number,
    outputGradient: number,
    weightGradient: number,
    batch: number,
    inputSize: number,
    outputSize: number,
  ): void {
    this.heap.fill(0, weightGradient, weightGradient + inputSize * outputSize);
    this.exports.denseWeightGradient(input * 4, outputGradient * 4, weightGradient * 4, batch, inputSize, outputSize);
  }

  denseInputGradient(
    outputGradient: number,
    weights: number,
    input: number,
    inputGradient: number,
    batch: number,
    inputSize: number,
    outputSize: number,
    reluMask: boolean,
  ): void {
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

  adamStep(
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
  ): void {
    this.exports.adamStep(parameters * 4, gradients * 4, firstMoments * 4, secondMoments * 4, count, gradientScale, rate, beta1, beta2, epsilon);
  }

  sumOfSquares(start: number, count: number, scratch: number): number {
    this.exports.sumOfSquares(start * 4, count, scratch * 4);
    return this.heap[scratch]!;
  }
}
