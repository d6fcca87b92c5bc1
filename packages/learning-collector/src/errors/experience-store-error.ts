import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraExperienceStoreError';

/** A file operation of the experience store failed (open, write, fsync, rotate, read) or the store was closed. */
export class ExperienceStoreError extends OrchestraError {
  /** What the store was doing, e.g. `append`, `rotate`, `read`. */
  readonly operation: string;
  /** The file or directory involved. */
  readonly path: string;

  constructor({ operation, path, message, cause }: { operation: string; path: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_EXPERIENCE_STORE', message: `Experience store ${operation} failed for ${path}: ${message}`, cause });
    this.operation = operation;
    this.path = path;
  }

  static override isInstance(error: unknown): error is ExperienceStoreError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
