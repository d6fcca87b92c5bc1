/**
 * A stable 32-bit hash of a string: FNV-1a over its UTF-16 code units, finished with murmur3's fmix32 so nearby
 * strings spread evenly. The same on every platform and run (other languages can reproduce it): sticky A/B
 * assignment hashes session ids with it, and reward breakdowns name their configuration with it.
 */
export function stableHash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
