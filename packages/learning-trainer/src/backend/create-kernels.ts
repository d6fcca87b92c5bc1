import type { DenseKernels, KernelBackendName } from './dense-kernels';
import { JsDenseKernels } from './js-dense-kernels';
import { WasmDenseKernels, wasmKernelsAvailable } from './wasm-dense-kernels';

/** Which kernels to use: a named backend, or `auto` (WebAssembly SIMD when available, else plain JS). */
export type KernelBackendChoice = KernelBackendName | 'auto';

/** Creates a fresh kernels object (with its own heap) for one network. */
export function createDenseKernels(choice: KernelBackendChoice = 'auto'): DenseKernels {
  if (choice === 'js') return new JsDenseKernels();
  if (choice === 'wasm' || wasmKernelsAvailable()) return new WasmDenseKernels();
  return new JsDenseKernels();
}
