import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraReplayFormatError';

/** A replay input file (tasks, outcomes or models) is malformed: the file, the 1-based line (0: the whole file) and why. */
export class ReplayFormatError extends OrchestraError {
  /** The file (path or label) the bad input came from. */
  readonly file: string;
  /** 1-based line of the offending record; 0 when the problem concerns the whole file. */
  readonly line: number;
  /** Dotted path of the offending field within the record (`''`: the record itself). */
  readonly field: string;

  constructor({ file, line, field = '', message, cause }: { file: string; line: number; field?: string; message: string; cause?: unknown }) {
    const where = line > 0 ? `${file}:${line}` : file;
    super({ name, code: 'ORCHESTRA_REPLAY_FORMAT', message: `${where}: ${field === '' ? '' : `${field}: `}${message}`, cause });
    this.file = file;
    this.line = line;
    this.field = field;
  }

  static override isInstance(error: unknown): error is ReplayFormatError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
