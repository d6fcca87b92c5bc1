import { describe, expect, it } from 'vitest';
import { WordTable, hashStep } from './word-table';

const hashOf = (word: string): number => [...word].reduce((hash, character) => hashStep(hash, character.charCodeAt(0)), 0);

describe('WordTable', () => {
  it('finds a word from any stretch of text, once per distinct word, and tells colliding words apart', () => {
    let created = 0;
    const table = new WordTable<number>(100, (word) => {
      created += 1;
      return word.length;
    });
    const text = 'fix the fix';
    const first = table.get(text, 0, 3, hashOf('fix'));
    expect(first.word).toBe('fix');
    expect(table.get(text, 8, 11, hashOf('fix'))).toBe(first);
    // Two words forced onto one hash: both kept, each found.
    const other = table.get(text, 4, 7, hashOf('fix'));
    expect(other.word).toBe('the');
    expect(table.get(text, 0, 3, hashOf('fix'))).toBe(first);
    expect(table.get(text, 4, 7, hashOf('fix'))).toBe(other);
    expect(created).toBe(2);
  });

  it('starts over when full', () => {
    let created = 0;
    const table = new WordTable<string>(2, (word) => {
      created += 1;
      return word;
    });
    for (const word of ['a', 'b', 'c', 'a']) table.get(word, 0, 1, hashOf(word));
    expect(created).toBe(4);
    expect(table.get('c', 0, 1, hashOf('c')).value).toBe('c');
  });
});
