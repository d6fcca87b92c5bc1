import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraUnknownModelError';

/** An action names a model the simulated world does not have. */
export class UnknownModelError extends OrchestraError {
  readonly model: string;
  readonly role: string;
  readonly world: string;

  constructor({ model, role, known, world }: { model: string; role: string; known: string[]; world: string }) {
    super({
      name,
      code: 'ORCHESTRA_UNKNOWN_MODEL',
      message: `The action gives the ${role} model "${model}", which world "${world}" does not have (it has: ${known.join(', ')}).`,
    });
    this.model = model;
    this.role = role;
    this.world = world;
  }

  static override isInstance(error: unknown): error is UnknownModelError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
