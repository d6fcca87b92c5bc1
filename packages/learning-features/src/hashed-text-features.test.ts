import { describe, expect, it } from 'vitest';
import { hashedTextFeatures } from './hashed-text-features';

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < left.length; index += 1) dot += left[index]! * right[index]!;
  return dot;
}

describe('hashedTextFeatures', () => {
  it('is deterministic, L2-normalised and case-insensitive', () => {
    const first = hashedTextFeatures('Fix memory leak in backend service', 128, new Float32Array(128));
    const second = hashedTextFeatures('fix MEMORY leak in Backend service', 128, new Float32Array(128));
    expect(Array.from(first)).toEqual(Array.from(second));
    expect(cosine(first, first)).toBeCloseTo(1, 5);
  });

  it('makes similar texts closer than unrelated ones (unigrams and bigrams)', () => {
    const leak = hashedTextFeatures('fix memory leak in the backend service', 256, new Float32Array(256));
    const leak2 = hashedTextFeatures('memory leak in backend worker', 256, new Float32Array(256));
    const docs = hashedTextFeatures('update README badges', 256, new Float32Array(256));
    expect(cosine(leak, leak2)).toBeGreaterThan(cosine(leak, docs) + 0.3);
  });

  it('handles accented Spanish words and writes only its slice', () => {
    const out = new Float32Array(40).fill(7);
    hashedTextFeatures('Corregir autenticación del módulo de pagos', 32, out, 4);
    expect(Array.from(out.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(out.subarray(36))).toEqual([7, 7, 7, 7]);
    const accented = hashedTextFeatures('autenticación', 32, new Float32Array(32));
    const plain = hashedTextFeatures('autenticaci n', 32, new Float32Array(32));
    expect(Array.from(accented)).not.toEqual(Array.from(plain));
  });

  it('gives zeros for empty or symbol-only text and rejects bad sizes', () => {
    expect(Array.from(hashedTextFeatures('  ::  ', 8, new Float32Array(8)))).toEqual(new Array(8).fill(0));
    expect(() => hashedTextFeatures('x', 0, new Float32Array(8))).toThrow(RangeError);
    expect(() => hashedTextFeatures('x', 8, new Float32Array(8), 4)).toThrow(RangeError);
  });
});
