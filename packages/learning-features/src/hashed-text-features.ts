const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function isTokenCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || // Latin-1 and Latin Extended letters (á, ñ, ü…)
    (code >= 0x370 && code <= 0x3ff) || // Greek
    (code >= 0x400 && code <= 0x4ff) // Cyrillic
  );
}

/** Mixes the bits of a 32-bit hash (murmur3 finaliser) so bucket and sign are independent. */
function finalise(hash: number): number {
  let mixed = hash >>> 0;
  mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

function addHashed(hash: number, dimensions: number, out: Float32Array, offset: number): void {
  const mixed = finalise(hash);
  const bucket = mixed % dimensions;
  // The top bit decides the sign: collisions then cancel on average instead of piling up (signed feature hashing).
  out[offset + bucket] = (out[offset + bucket] ?? 0) + ((mixed & 0x80000000) !== 0 ? -1 : 1);
}

/**
 * Writes `dimensions` hashed text features of `text` into `out[offset … offset + dimensions)`: lower-cased word
 * unigrams and bigrams (letters and digits, accented Latin letters included, so Spanish works), each hashed with
 * FNV-1a into a bucket with a ±1 sign (the "hashing trick"), then L2-normalised. Empty text gives all zeros.
 *
 * No vocabulary to ship or version: the same text always gives the same vector, for any `dimensions`.
 * Only the lower-cased copy of `text` is allocated.
 */
export function hashedTextFeatures(text: string, dimensions: number, out: Float32Array, offset = 0): Float32Array {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new RangeError(`hashedTextFeatures: dimensions must be a positive integer, got ${dimensions}`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + dimensions > out.length) {
    throw new RangeError(`hashedTextFeatures: offset ${offset} + dimensions ${dimensions} exceeds out.length ${out.length}`);
  }
  out.fill(0, offset, offset + dimensions);
  const lower = text.toLowerCase();
  let tokenHash = FNV_OFFSET;
  let inToken = false;
  let previousToken = 0;
  let hasPrevious = false;
  const length = lower.length;
  for (let position = 0; position <= length; position += 1) {
    const code = position < length ? lower.charCodeAt(position) : 32;
    if (isTokenCode(code)) {
      tokenHash = Math.imul(tokenHash ^ code, FNV_PRIME);
      inToken = true;
    } else if (inToken) {
      const unigram = tokenHash >>> 0;
      addHashed(unigram, dimensions, out, offset);
      if (hasPrevious) addHashed(Math.imul(previousToken ^ 0x5bd1e995, FNV_PRIME) ^ unigram, dimensions, out, offset);
      previousToken = unigram;
      hasPrevious = true;
      tokenHash = FNV_OFFSET;
      inToken = false;
    }
  }
  let squares = 0;
  for (let index = offset; index < offset + dimensions; index += 1) squares += (out[index] ?? 0) * (out[index] ?? 0);
  if (squares > 0) {
    const scale = 1 / Math.sqrt(squares);
    for (let index = offset; index < offset + dimensions; index += 1) out[index] = (out[index] ?? 0) * scale;
  }
  return out;
}
