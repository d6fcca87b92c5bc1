import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraConstraintConfigurationError';

/** A hard-constraint set cannot be used: an unknown head or label, or constraints that together forbid every choice. */
export class ConstraintConfigurationError extends OrchestraError {
  /** Id of the offending constraint. */
  readonly constraintId: string;

  constructor({ constraintId, message }: { constraintId: string; message: string }) {
    super({ name, code: 'ORCHESTRA_CONSTRAINT_CONFIGURATION', message: `Hard constraint ${constraintId}: ${message}` });
    this.constraintId = constraintId;
  }

  static override isInstance(error: unknown): error is ConstraintConfigurationError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
