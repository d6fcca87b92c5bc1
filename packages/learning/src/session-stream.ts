import { constants, promises as fs } from 'node:fs';
import { SessionIngestError } from './errors';
import { parseOwnedIngestedSession, type IngestedSession } from './session-file';

/** Largest single record accepted from a session file (a real finished session is a few KiB). */
export const MAX_SESSION_RECORD_CHARACTERS = 16 * 1024 * 1024;
/** Deepest nesting of objects/arrays accepted in a session record (a real one nests under 10 levels). */
export const MAX_SESSION_NESTING_DEPTH = 64;

/**
 * Bytes read (and decoded) at a time. Under 128 KiB on purpose: V8 allocates a string of 128 KiB or more in its
 * large-object space, and decoding a 256 KiB chunk cost ~35 times as much as the same bytes in 64 KiB chunks
 * (111 MB: 0.5 s against 0.015 s, Node 20).
 */
const READ_CHUNK_BYTES = 64 * 1024;

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const NEWLINE = 10;

/** `text.indexOf(search, from)`, or `text.length` when it does not occur. */
function indexOrEnd(text: string, search: string, from: number): number {
  const found = text.indexOf(search, from);
  return found === -1 ? text.length : found;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xfeff;
}

/**
 * Splits a stream of JSON text into top-level records without holding more than one record: a JSON array's
 * elements, or a sequence of whitespace-separated objects (one JSON object, or JSONL). Iterative and depth-bounded;
 * tracks strings and escapes so brackets inside strings do not count.
 */
class RecordSplitter {
  private mode: 'start' | 'array' | 'sequence' | 'done' = 'start';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private record = '';
  private recordStart = -1;
  private recordLine = 1;
  private line = 1;
  /** In an array: whether the next element must be preceded by a comma. */
  private expectComma = false;
  recordNumber = 0;

  constructor(private readonly file: string) {}

  private fail(message: string, record = this.recordNumber + 1): never {
    throw new SessionIngestError({ file: this.file, record, message });
  }

  /** Feeds a chunk of text; returns the complete records it ended, as `[text, recordNumber]`. */
  push(text: string): [string, number][] {
    const records: [string, number][] = [];
    // Where the next quote, backslash and newline of this chunk are (from `index` on): a string's body is skipped
    // in one step to the first of them instead of character by character.
    let nextQuote = -1;
    let nextBackslash = -1;
    let nextNewline = -1;
    for (let index = 0; index < text.length; index += 1) {
      let code = text.charCodeAt(index);
      if (code === NEWLINE) this.line += 1;
      if (this.depth > 0) {
        if (this.inString) {
          if (this.escaped) {
            this.escaped = false;
            continue;
          }
          if (nextQuote < index) nextQuote = indexOrEnd(text, '"', index);
          if (nextBackslash < index) nextBackslash = indexOrEnd(text, '\\', index);
          const stop = Math.min(nextQuote, nextBackslash);
          if (stop > index) {
            // Raw newlines inside a string are invalid JSON (its parse refuses the record) but still counted.
            if (nextNewline <= index) nextNewline = indexOrEnd(text, '\n', index + 1);
            while (nextNewline < stop) {
              this.line += 1;
              nextNewline = indexOrEnd(text, '\n', nextNewline + 1);
            }
            if (stop === text.length) break;
            index = stop;
            code = text.charCodeAt(index);
          }
          if (code === BACKSLASH) this.escaped = true;
          else if (code === QUOTE) this.inString = false;
          continue;
        }
        if (code === QUOTE) this.inString = true;
        else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
          this.depth += 1;
          if (this.depth > MAX_SESSION_NESTING_DEPTH) this.fail(`nested more than ${MAX_SESSION_NESTING_DEPTH} levels deep`);
        } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
          this.depth -= 1;
          if (this.depth === 0) {
            this.record += text.slice(this.recordStart, index + 1);
            this.recordStart = -1;
            this.recordNumber += 1;
            records.push([this.record, this.mode === 'sequence' ? this.recordLine : this.recordNumber]);
            this.record = '';
            this.expectComma = this.mode === 'array';
          }
        }
        continue;
      }
      if (isSpace(code)) continue;
      if (this.mode === 'start') {
        if (code === OPEN_BRACKET) {
          this.mode = 'array';
          continue;
        }
        this.mode = 'sequence';
      }
      if (this.mode === 'done') this.fail('unexpected text after the closing ] of the array');
      if (this.mode === 'array') {
        if (code === CLOSE_BRACKET) {
          this.mode = 'done';
          continue;
        }
        if (this.expectComma) {
          if (code !== COMMA) this.fail('not valid JSON (expected , or ] between array elements)');
          this.expectComma = false;
          continue;
        }
      }
      if (code !== OPEN_BRACE) {
        this.fail(
          this.mode === 'array' ? 'must be a JSON object (an EnhancedSessionState)' : 'not valid JSON (expected JSON, a JSON array or JSONL of objects)',
          this.mode === 'sequence' ? this.line : this.recordNumber + 1,
        );
      }
      this.depth = 1;
      this.recordStart = index;
      this.recordLine = this.line;
    }
    if (this.depth > 0) {
      this.record += text.slice(this.recordStart);
      this.recordStart = 0;
      if (this.record.length > MAX_SESSION_RECORD_CHARACTERS) this.fail(`a record longer than ${MAX_SESSION_RECORD_CHARACTERS} characters`);
    }
    return records;
  }

  /** End of input: an unfinished record or array is an error. */
  finish(): void {
    if (this.depth > 0) this.fail('not valid JSON (the file ends inside a record)', this.mode === 'sequence' ? this.recordLine : this.recordNumber + 1);
    if (this.mode === 'array') this.fail('not valid JSON (the array is not closed)', 0);
    if (this.mode === 'start') this.fail('the file is empty', 0);
  }
}

/** Parses and validates one record of a session file (its text as `streamSessionRecords` gives it). */
export function parseSessionRecord(text: string, file: string, recordNumber: number): IngestedSession {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SessionIngestError({ file, record: recordNumber, message: 'not valid JSON (expected JSON, a JSON array or JSONL)', cause: error });
  }
  return parseOwnedIngestedSession(value, file, recordNumber);
}

/**
 * Streams the records of a JSON / JSON-array / JSONL session file as text, `[text, recordNumber]`, one record at a
 * time, in memory bounded by the largest record (not the file): the file must be a regular file (a FIFO or device is
 * refused), decoded as strict UTF-8 (invalid bytes → `SessionIngestError` saying so, never silently replaced with
 * U+FFFD), and split by an iterative depth-bounded scanner. The records are not parsed (`parseSessionRecord`).
 */
export async function* streamSessionRecords(path: string): AsyncGenerator<[string, number]> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SessionIngestError({ file: path, record: 0, message: 'not a regular file' });
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    const splitter = new RecordSplitter(path);
    let offset = 0;
    for await (const chunk of handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: false }) as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (error) {
        throw new SessionIngestError({ file: path, record: splitter.recordNumber + 1, message: `not valid UTF-8 (within bytes ${offset}–${offset + chunk.length}); refused rather than replaced`, cause: error });
      }
      offset += chunk.length;
      yield* splitter.push(text);
    }
    try {
      decoder.decode();
    } catch (error) {
      throw new SessionIngestError({ file: path, record: splitter.recordNumber + 1, message: 'not valid UTF-8 (the file ends inside a character); refused rather than replaced', cause: error });
    }
    splitter.finish();
  } finally {
    await handle.close();
  }
}

/**
 * Streams the finished sessions of a session file (`streamSessionRecords`), each record validated
 * (`parseSessionRecord`). Throws `SessionIngestError` naming the record on the first invalid one.
 */
export async function* streamSessionFile(path: string): AsyncGenerator<IngestedSession> {
  for await (const [record, recordNumber] of streamSessionRecords(path)) yield parseSessionRecord(record, path, recordNumber);
}

/** Counts and validates every record of a session file without keeping any (the first pass of an all-or-nothing ingest). */
export async function validateSessionFile(path: string): Promise<number> {
  let count = 0;
  for await (const _session of streamSessionFile(path)) count += 1;
  return count;
}
