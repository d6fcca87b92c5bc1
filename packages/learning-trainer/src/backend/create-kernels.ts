import type { DenseRuntimeKind } from '@orchestra/learning-policy';
import type { DenseKernels } from './dense-kernels';
import { TypescriptDenseKernels } from './typescript-dense-kernels';
import { WasmDenseKernels, wasmKernelsAvailable } from './wasm-dense-kernels';

/** Which kernels to use: `wasm-simd`, `typescript`, or `auto` (WebAssembly SIMD when available, else TypeScript). */
export type KernelBackendChoice = DenseRuntimeKind | 'auto';

/** Creates a fresh kernels object (with its own heap) for one network. */
export function createDenseKernels(choice: KernelBackendChoice = 'auto'): DenseKernels {
  if (choice === 'typescript') return new TypescriptDenseKernels();
  if (choice === 'wasm-simd' || wasmKernelsAvailable()) return new WasmDenseKernels();
  return new TypescriptDenseKernels();
}
