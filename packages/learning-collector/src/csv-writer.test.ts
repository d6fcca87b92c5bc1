import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsvCell, formatCsvRow, parseCsv } from './csv-writer';

describe('CSV writer', () => {
  it('quotes fields with commas, quotes, line breaks and edge spaces, doubling quotes (RFC 4180)', () => {
    expect(formatCsvCell('plain')).toBe('plain');
    expect(formatCsvCell('a,b')).toBe('"a,b"');
    expect(formatCsvCell('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvCell('two\nlines')).toBe('"two\nlines"');
    expect(formatCsvCell(' padded')).toBe('" padded"');
    expect(formatCsvCell(null)).toBe('');
    expect(formatCsvCell(Number.NaN)).toBe('');
    expect(formatCsvCell(1.5)).toBe('1.5');
    expect(formatCsvRow(['a', 1, true, undefined])).toBe('a,1,true,\r\n');
  });

  it('round-trips any strings through format and parse', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map((row) => formatCsvRow(row)).join('');
        expect(parseCsv(text)).toEqual(rows);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
