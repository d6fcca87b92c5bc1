/** One remembered word and its value. */
export interface WordSlot<Value> {
  readonly word: string;
  readonly hash: number;
  readonly value: Value;
}

/** The next value of a word's hash after one more character code (`hash` starts at 0). */
export function hashStep(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}

/**
 * One value per distinct word, found from a stretch of a text and its hash (`hashStep` over its character codes)
 * without slicing the text or hashing a new string: open addressing in a typed array (at most half full), a match
 * checked with `startsWith`. Words repeat, so the tokenisers remember what they work out per word here. Cleared
 * when it holds `limit` words, so a long bulk import of new text cannot grow it without bound.
 */
export class WordTable<Value> {
  /** Per bucket: 1 + the position of its slot in `slots`, 0 when empty. */
  private readonly buckets: Int32Array;
  private readonly mask: number;
  private readonly slots: Array<WordSlot<Value>> = [];

  constructor(
    private readonly limit: number,
    private readonly create: (word: string) => Value,
  ) {
    let size = 16;
    while (size < limit * 2) size *= 2;
    this.buckets = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot of `text.slice(start, end)`, whose hash is `hash`; created on first sight. */
  get(text: string, start: number, end: number, hash: number): WordSlot<Value> {
    const length = end - start;
    let mixed = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
    mixed ^= mixed >>> 16;
    let bucket = mixed & this.mask;
    for (let entry = this.buckets[bucket]!; entry !== 0; entry = this.buckets[bucket]!) {
      const slot = this.slots[entry - 1]!;
      if (slot.hash === hash && slot.word.length === length && text.startsWith(slot.word, start)) return slot;
      bucket = (bucket + 1) & this.mask;
    }
    if (this.slots.length >= this.limit) {
      this.buckets.fill(0);
      this.slots.length = 0;
      bucket = mixed & this.mask;
    }
    const word = start === 0 && end === text.length ? text : text.slice(start, end);
    const slot: WordSlot<Value> = { word, hash, value: this.create(word) };
    this.slots.push(slot);
    this.buckets[bucket] = this.slots.length;
    return slot;
  }
}
