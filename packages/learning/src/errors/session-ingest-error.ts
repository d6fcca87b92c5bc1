import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraSessionIngestError';

/** A file of finished sessions could not be read or one of its records is invalid. */
export class SessionIngestError extends OrchestraError {
  /** The file being ingested. */
  readonly file: string;
  /** 1-based record number (line for JSONL, array index + 1 for JSON), or 0 for the whole file. */
  readonly record: number;
  /** What is wrong, without the file and record (the message says them too). */
  readonly reason: string;

  constructor({ file, record, message, cause }: { file: string; record: number; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_SESSION_INGEST', message: `Cannot ingest ${file}${record > 0 ? ` (record ${record})` : ''}: ${message}`, cause });
    this.file = file;
    this.record = record;
    this.reason = message;
  }

  static override isInstance(error: unknown): error is SessionIngestError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
