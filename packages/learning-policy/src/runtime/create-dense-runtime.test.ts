import { describe, expect, it, vi } from 'vitest';
import { createRandomDenseLayers } from '../artifact/random-dense-network';

vi.mock('./wasm-dense-runtime', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./wasm-dense-runtime')>()),
  isWasmSimdAvailable: () => false,
}));

describe('createDenseRuntime without WebAssembly SIMD', () => {
  it('falls back to the plain TypeScript runtime', async () => {
    const { createDenseRuntime } = await import('./create-dense-runtime');
    const layers = createRandomDenseLayers([4, 8, 2], 1);
    const runtime = createDenseRuntime({ layers, inputSize: 4, outputSize: 2 });
    expect(runtime.kind).toBe('typescript');
    runtime.input.set([1, 2, 3, 4]);
    runtime.run();
    expect(runtime.output.every(Number.isFinite)).toBe(true);
  });
});
