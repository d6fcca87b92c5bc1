/**
 * A stable number in [0, 1) for a string: 32-bit FNV-1a over its UTF-16 code units, finished with murmur3's fmix32
 * so nearby strings spread evenly, divided by 2^32. The same on every platform and run (other languages can
 * reproduce it), which is what makes A/B assignment sticky per session id.
 */
export function stableUnitHash(text: string): number {
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
  return (hash >>> 0) / 4294967296;
}
