import { readFile } from 'node:fs/promises';
import { parseExperience, parseJsonLines, type Experience } from '@orchestra/learning-types';
import { SessionIngestError } from './errors';

/**
 * Reads experiences from an export file: a JSON array (or one object) or JSONL, as `orchestra learning-export`
 * writes them (`--format json` / `jsonl`). CSV cannot be read back (it flattens the records). Every record is
 * validated; the first invalid one throws `SessionIngestError` naming it.
 */
export async function readExperienceFile(path: string): Promise<Experience[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const parseRecord = (record: unknown, number: number) => {
    try {
      return parseExperience(record);
    } catch (error) {
      throw new SessionIngestError({ file: path, record: number, message: (error as Error).message, cause: error });
    }
  };
  if (trimmed.startsWith('[')) {
    let array: unknown;
    try {
      array = JSON.parse(trimmed);
    } catch (error) {
      throw new SessionIngestError({ file: path, record: 0, message: 'not valid JSON', cause: error });
    }
    if (!Array.isArray(array)) throw new SessionIngestError({ file: path, record: 0, message: 'expected a JSON array of experiences' });
    return array.map((record, index) => parseRecord(record, index + 1));
  }
  const invalid = (record: number, cause: unknown) =>
    new SessionIngestError({ file: path, record, message: 'not valid JSON (expected a JSON array or JSONL of experiences; CSV exports cannot be read back)', cause });
  return Array.from(parseJsonLines(text, invalid), ({ line, value }) => parseRecord(value, line));
}
