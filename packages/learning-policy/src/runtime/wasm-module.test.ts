import { describe, expect, it } from 'vitest';
import { wasmBase64 } from './dense-kernel-bytes';
import { lazyWasmModule } from './wasm-module';

describe('lazyWasmModule', () => {
  it('compiles once and gives each instance its own memory', () => {
    const load = lazyWasmModule(wasmBase64);
    const module = load();
    expect(module).not.toBeNull();
    expect(load()).toBe(module);
    const first = module!.instantiate<{ memory: { buffer: ArrayBuffer } }>();
    const second = module!.instantiate<{ memory: { buffer: ArrayBuffer } }>();
    new Float32Array(first.memory.buffer)[0] = 7;
    expect(new Float32Array(second.memory.buffer)[0]).toBe(0);
  });

  it('returns null, never throws, for bytes that are not a valid module', () => {
    expect(lazyWasmModule(Buffer.from('not wasm').toString('base64'))()).toBeNull();
    expect(lazyWasmModule('')()).toBeNull();
  });
});
