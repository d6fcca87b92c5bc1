import { stableHash32 } from '@orchestra/learning-types';

/**
 * A stable number in [0, 1) for a string: `stableHash32` (FNV-1a + fmix32) divided by 2^32. The same on every
 * platform and run, which is what makes A/B assignment sticky per session id.
 */
export function stableUnitHash(text: string): number {
  return stableHash32(text) / 4294967296;
}
