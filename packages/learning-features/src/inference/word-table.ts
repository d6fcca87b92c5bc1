/** One remembered word and its value. */
export interface WordSlot<Value> {
  readonly word: string;
  readonly value: Value;
  next: WordSlot<Value> | undefined;
}

/** The next value of a word's hash after one more character code (`hash` starts at 0). */
export function hashStep(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}

/**
 * One value per distinct word, found from a stretch of a text and its hash (`hashStep` over its character codes)
 * without slicing the text or hashing a new string: a number-keyed map, collisions chained and checked with
 * `startsWith`. Words repeat, so the tokenisers remember what they work out per word here. Cleared when it holds
 * `limit` words, so a long bulk import of new text cannot grow it without bound.
 */
export class WordTable<Value> {
  private readonly slots = new Map<number, WordSlot<Value>>();
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly create: (word: string) => Value,
  ) {}

  /** The slot of `text.slice(start, end)`, whose hash is `hash`; created on first sight. */
  get(text: string, start: number, end: number, hash: number): WordSlot<Value> {
    const length = end - start;
    const first = this.slots.get(hash);
    for (let slot = first; slot !== undefined; slot = slot.next) {
      if (slot.word.length === length && text.startsWith(slot.word, start)) return slot;
    }
    if (this.size >= this.limit) {
      this.slots.clear();
      this.size = 0;
      return this.get(text, start, end, hash);
    }
    const word = start === 0 && end === text.length ? text : text.slice(start, end);
    const slot: WordSlot<Value> = { word, value: this.create(word), next: first };
    this.slots.set(hash, slot);
    this.size += 1;
    return slot;
  }
}
