/** One record of a JSON Lines text: its 1-based line number and its parsed value. */
export interface JsonLine {
  line: number;
  value: unknown;
}

/**
 * The records of a JSON Lines text, parsed one line at a time as they are read (so a caller validating each record
 * reports the first bad line, whether bad JSON or a bad record): every non-blank line (trimmed) is one JSON value. A
 * line that is not JSON goes to `invalid` with its line number and the parse error, and the error `invalid` returns
 * is thrown: each reader names its own file and record in its own error type.
 */
export function* parseJsonLines(text: string, invalid: (line: number, cause: unknown) => Error): Generator<JsonLine, void, undefined> {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const source = lines[index]!.trim();
    if (source === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw invalid(index + 1, error);
    }
    yield { line: index + 1, value };
  }
}
