import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraFeatureSchemaMismatchError';

/**
 * A feature vector (or a model, normaliser or experience) was made with a different feature schema than the one
 * in use. Feeding it on would silently mean different numbers in each position, so runtimes refuse instead.
 */
export class FeatureSchemaMismatchError extends OrchestraError {
  /** Hash the consumer (a model artifact, a normaliser, a runtime) was built for. */
  readonly expectedHash: string;
  /** Hash of the schema actually offered. */
  readonly actualHash: string;
  /** Size the consumer expects, when known. */
  readonly expectedSize: number | undefined;
  /** Size actually offered, when known. */
  readonly actualSize: number | undefined;
  /** What refused, e.g. `LearnedPolicy` or `Normalizer`. */
  readonly consumer: string;

  constructor({
    expectedHash,
    actualHash,
    expectedSize,
    actualSize,
    consumer,
    cause,
  }: {
    expectedHash: string;
    actualHash: string;
    expectedSize?: number;
    actualSize?: number;
    consumer: string;
    cause?: unknown;
  }) {
    const sizes =
      expectedSize !== undefined && actualSize !== undefined ? ` (expected ${expectedSize} features, got ${actualSize})` : '';
    super({
      name,
      code: 'ORCHESTRA_FEATURE_SCHEMA_MISMATCH',
      message:
        `${consumer} was built for feature schema ${expectedHash.slice(0, 12)}… but was given schema ` +
        `${actualHash.slice(0, 12)}…${sizes}; re-encode the state with the matching schema or retrain.`,
      cause,
    });
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
    this.expectedSize = expectedSize;
    this.actualSize = actualSize;
    this.consumer = consumer;
  }

  static override isInstance(error: unknown): error is FeatureSchemaMismatchError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
