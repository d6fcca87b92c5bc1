const view = new DataView(new ArrayBuffer(8));

/**
 * The exact decimal value of a finite double, e.g. `0.1` → `0.1000000000000000055511151231257827021181583404541015625`.
 * PostgreSQL's `numeric` then sums doubles exactly: the sum, read back with `Number(text)` (correctly rounded),
 * equals the collector's `ExactSum` of the same values — so SQL statistics equal the JSONL store's to the last bit.
 */
export function exactDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`exactDecimal: ${value} is not finite`);
  if (value === 0) return '0';
  // Integers of up to 2^53 are exact as JavaScript prints them; recurring fractions (prices, rewards) are cached.
  if (Number.isSafeInteger(value)) return String(value);
  const cached = cache.get(value);
  if (cached !== undefined) return cached;
  const text = expand(value);
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(value, text);
  return text;
}

const CACHE_SIZE = 16_384;
const cache = new Map<number, string>();

function expand(value: number): string {
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  let mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  let exponent = biasedExponent === 0 ? -1074 : biasedExponent - 1075;
  // Fewer digits: drop the mantissa's trailing zero bits first.
  while (exponent < 0 && (mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent += 1;
  }
  let text: string;
  if (exponent >= 0) {
    text = (mantissa << BigInt(exponent)).toString();
  } else {
    // mantissa / 2^k = mantissa · 5^k / 10^k
    const places = -exponent;
    const digits = (mantissa * 5n ** BigInt(places)).toString().padStart(places + 1, '0');
    text = `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  }
  return negative ? `-${text}` : text;
}

/** A numeric sum as PostgreSQL prints it (or null for an empty sum), as the nearest double. */
export function numericToNumber(text: string | null | undefined): number {
  if (text === null || text === undefined) return 0;
  const value = Number(text);
  return value === 0 ? 0 : value;
}
