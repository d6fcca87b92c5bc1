import { describe, expect, it } from 'vitest';
import { parseJsonLines } from './json-lines';

describe('parseJsonLines', () => {
  it('parses each non-blank line with its 1-based line number', () => {
    expect([...parseJsonLines('{"a":1}\n\n  [2, 3]  \r\n"x"\n', () => new Error('unused'))]).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: [2, 3] },
      { line: 4, value: 'x' },
    ]);
    expect([...parseJsonLines('', () => new Error('unused'))]).toEqual([]);
  });

  it('throws the error the caller makes for the first line that is not JSON', () => {
    const seen: number[] = [];
    const invalid = (line: number, cause: unknown) => {
      seen.push(line);
      return new RangeError(`line ${line}`, { cause });
    };
    const read: unknown[] = [];
    expect(() => {
      for (const { value } of parseJsonLines('1\n{oops\n{also bad', invalid)) read.push(value);
    }).toThrow(new RangeError('line 2'));
    expect(seen).toEqual([2]);
    // Lazily: the records before the bad line reach the caller first.
    expect(read).toEqual([1]);
  });
});
