import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraModelArtifactError';

/** Why a model artifact could not be read. */
export const modelArtifactErrorReasons = [
  /** A file named by the manifest (or the manifest itself) does not exist. */
  'missing-file',
  /** The manifest is not valid JSON / does not match the schema, or the weights are malformed (size, NaN, shapes). */
  'corrupt',
  /** A weights file's SHA-256 differs from the one in the manifest. */
  'checksum-mismatch',
  /** The manifest's `formatVersion` is not one this code reads. */
  'format-version',
  /** The artifact was trained on a different feature schema than the one the caller encodes with. */
  'feature-schema-mismatch',
  /** The actor's output size differs from the action space's total number of logits. */
  'action-space-mismatch',
] as const;
export type ModelArtifactErrorReason = (typeof modelArtifactErrorReasons)[number];

/** A model artifact is missing, corrupt, from another format version or for another feature schema / action space. */
export class ModelArtifactError extends OrchestraError {
  readonly reason: ModelArtifactErrorReason;
  /** The file or manifest field concerned, e.g. `actor.weights.bin` or `actor.layers.1.kernel`. */
  readonly location: string;

  constructor({ reason, location, message, cause }: { reason: ModelArtifactErrorReason; location: string; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_MODEL_ARTIFACT', message: `Model artifact ${reason} at ${location}: ${message}`, cause });
    this.reason = reason;
    this.location = location;
  }

  static override isInstance(error: unknown): error is ModelArtifactError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
