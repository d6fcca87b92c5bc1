/** A CSV cell: strings are quoted when needed, numbers and booleans written as is, null/undefined as empty. */
export type CsvCell = string | number | boolean | null | undefined;

const needsQuoting = /[",\r\n]|^\s|\s$/;

/** Formats one cell per RFC 4180: fields with a comma, quote, CR or LF (or edge spaces) are quoted, quotes doubled. */
export function formatCsvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return needsQuoting.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** Formats one record, terminated by CRLF as RFC 4180 asks. */
export function formatCsvRow(cells: readonly CsvCell[]): string {
  let row = '';
  for (let index = 0; index < cells.length; index += 1) {
    if (index > 0) row += ',';
    row += formatCsvCell(cells[index]);
  }
  return `${row}\r\n`;
}

/** Parses RFC 4180 text into rows of strings (the inverse of `formatCsvRow`, used to check exports). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
      } else field += character;
      index += 1;
      continue;
    }
    if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += character;
    index += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
