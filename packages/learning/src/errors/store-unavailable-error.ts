import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraStoreUnavailableError';

/** A PostgreSQL store was configured, but the optional peer `@orchestra/learning-store-postgres` is not installed. */
export class StoreUnavailableError extends OrchestraError {
  /** The package that is missing. */
  readonly packageName: string;

  constructor({ packageName, cause }: { packageName: string; cause?: unknown }) {
    super({
      name,
      code: 'ORCHESTRA_STORE_UNAVAILABLE',
      message: `The configured experience store needs the optional package ${packageName}: install it next to @orchestra/learning (npm install ${packageName})${
        cause instanceof Error ? ` [${cause.message.split('\n')[0]}]` : ''
      }.`,
      cause,
    });
    this.packageName = packageName;
  }

  static override isInstance(error: unknown): error is StoreUnavailableError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
