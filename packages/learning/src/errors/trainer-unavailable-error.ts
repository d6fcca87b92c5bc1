import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraTrainerUnavailableError';

/** Training was asked for, but the optional peer `@orchestra/learning-trainer` is not installed. */
export class TrainerUnavailableError extends OrchestraError {
  constructor({ cause }: { cause?: unknown } = {}) {
    super({
      name,
      code: 'ORCHESTRA_TRAINER_UNAVAILABLE',
      message: `Training needs the optional package @orchestra/learning-trainer: install it next to @orchestra/learning (npm install @orchestra/learning-trainer)${
        cause instanceof Error ? ` [${cause.message.split('\n')[0]}]` : ''
      }.`,
      cause,
    });
  }

  static override isInstance(error: unknown): error is TrainerUnavailableError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
