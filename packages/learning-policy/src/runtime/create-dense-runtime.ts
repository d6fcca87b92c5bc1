import type { DenseNetwork } from '../artifact/model-artifact';
import type { DenseRuntime, DenseRuntimeOptions } from './dense-runtime';
import { TypescriptDenseRuntime } from './typescript-dense-runtime';
import { WasmDenseRuntime, isWasmSimdAvailable } from './wasm-dense-runtime';

/**
 * The fastest forward pass available for `network`: the WebAssembly SIMD kernel where the engine supports it,
 * plain TypeScript otherwise (or when `prefer: 'typescript'`). `prefer: 'wasm-simd'` throws when SIMD is missing.
 */
export function createDenseRuntime(network: DenseNetwork, options: DenseRuntimeOptions = {}): DenseRuntime {
  const maxBatch = options.maxBatch ?? 1;
  const prefer = options.prefer ?? 'auto';
  if (prefer === 'typescript') return new TypescriptDenseRuntime(network, maxBatch);
  if (prefer === 'wasm-simd' || isWasmSimdAvailable()) return new WasmDenseRuntime(network, maxBatch);
  return new TypescriptDenseRuntime(network, maxBatch);
}
