import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraExperienceTooLargeError';

/** An experience serialises to more bytes than `maxLineBytes`; the reader would quarantine it, so it is refused. */
export class ExperienceTooLargeError extends OrchestraError {
  readonly experienceId: string;
  readonly bytes: number;
  readonly maxLineBytes: number;

  constructor({ experienceId, bytes, maxLineBytes }: { experienceId: string; bytes: number; maxLineBytes: number }) {
    super({
      name,
      code: 'ORCHESTRA_EXPERIENCE_TOO_LARGE',
      message: `Experience ${experienceId} is ${bytes} bytes as JSON, more than maxLineBytes (${maxLineBytes}).`,
    });
    this.experienceId = experienceId;
    this.bytes = bytes;
    this.maxLineBytes = maxLineBytes;
  }

  static override isInstance(error: unknown): error is ExperienceTooLargeError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
