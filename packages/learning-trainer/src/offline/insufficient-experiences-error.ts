import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraInsufficientExperiencesError';

/** Too few experiences to train on (the seed's rule: at least 50 unless explicitly overridden). */
export class InsufficientExperiencesError extends OrchestraError {
  /** How many experiences were given. */
  readonly count: number;
  /** The minimum the configuration asks for. */
  readonly minimum: number;

  constructor({ count, minimum }: { count: number; minimum: number }) {
    super({
      name,
      code: 'ORCHESTRA_INSUFFICIENT_EXPERIENCES',
      message: `Refusing to train on ${count} experience${count === 1 ? '' : 's'}: at least ${minimum} are needed (override with --allow-few on the command line, or allowFewExperiences: true in the library).`,
    });
    this.count = count;
    this.minimum = minimum;
  }

  static override isInstance(error: unknown): error is InsufficientExperiencesError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
