import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraUnknownModelPriceError';

/** The price table has no entry matching a model id. */
export class UnknownModelPriceError extends OrchestraError {
  readonly model: string;

  constructor({ model, known }: { model: string; known: string[] }) {
    super({
      name,
      code: 'ORCHESTRA_UNKNOWN_MODEL_PRICE',
      message: `No price for model "${model}" (the price table knows: ${known.join(', ')}). Add it to the price table.`,
    });
    this.model = model;
  }

  static override isInstance(error: unknown): error is UnknownModelPriceError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
