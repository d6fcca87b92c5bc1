import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraWorldFileError';

/** A world file that cannot be used: unreadable, not JSON, or not a valid world. `path` is absolute. */
export class WorldFileError extends OrchestraError {
  readonly path: string;

  constructor({ path, message, cause }: { path: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_WORLD_FILE', message, ...(cause === undefined ? {} : { cause }) });
    this.path = path;
  }

  static override isInstance(error: unknown): error is WorldFileError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
