import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraIncompatibleExperiencesError';

/** Experiences that cannot be trained on together: different feature schemas or feature lengths. */
export class IncompatibleExperiencesError extends OrchestraError {
  /** Id of the first experience that does not match. */
  readonly experienceId: string;
  /** The field that differs (`state.featureSchemaHash` or `state.features`). */
  readonly field: string;
  readonly expected: unknown;
  readonly found: unknown;

  constructor({ experienceId, field, expected, found }: { experienceId: string; field: string; expected: unknown; found: unknown }) {
    super({
      name,
      code: 'ORCHESTRA_INCOMPATIBLE_EXPERIENCES',
      message: `Experience ${experienceId} does not match the others: ${field} is ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}.`,
    });
    this.experienceId = experienceId;
    this.field = field;
    this.expected = expected;
    this.found = found;
  }

  static override isInstance(error: unknown): error is IncompatibleExperiencesError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
