import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraLearningConfigError';

/** The configuration file, an environment variable or the persisted state file holds an invalid value. */
export class LearningConfigError extends OrchestraError {
  /** Where the bad value came from: a file path or an environment variable name. */
  readonly source: string;
  /** The offending field (dotted path), or `''` for the whole document. */
  readonly field: string;

  constructor({ source, field, message, cause }: { source: string; field: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_LEARNING_CONFIG', message: `Invalid configuration in ${source}${field === '' ? '' : ` at ${field}`}: ${message}`, cause });
    this.source = source;
    this.field = field;
  }

  static override isInstance(error: unknown): error is LearningConfigError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
