import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraReplayOptionError';

/** An option of `runReplay` (or of `orchestra replay`) is out of range or does not fit the table. */
export class ReplayOptionError extends OrchestraError {
  /** The option's name, e.g. `trainShare`. */
  readonly option: string;

  constructor({ option, message, cause }: { option: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_REPLAY_OPTION', message: `replay option ${option}: ${message}`, cause });
    this.option = option;
  }

  static override isInstance(error: unknown): error is ReplayOptionError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
