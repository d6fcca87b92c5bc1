/** The part of the WebAssembly JS API used here (the ES2022 lib without DOM does not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, never>) => { exports: unknown };
}

/** A compiled WebAssembly module: each `instantiate` makes a fresh instance (its own memory) and returns its exports. */
export interface WasmModule {
  instantiate<Exports>(): Exports;
}

/**
 * The project's one WebAssembly loader, for modules assembled from `.wat` by `scripts/build-wasm.mts` (the policy's
 * dense runtime, the trainer's kernels). The returned function compiles `base64` on its first call, synchronously,
 * and returns the same module afterwards — or null when this engine cannot compile it (no WebAssembly, no SIMD).
 */
export function lazyWasmModule(base64: string): () => WasmModule | null {
  let compiled: WasmModule | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    const webAssembly = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    try {
      const bytes = Buffer.from(base64, 'base64');
      const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (webAssembly === undefined || !webAssembly.validate(view)) {
        compiled = null;
      } else {
        const module = new webAssembly.Module(view);
        compiled = { instantiate: <Exports>() => new webAssembly.Instance(module, {}).exports as Exports };
      }
    } catch {
      compiled = null;
    }
    return compiled;
  };
}
