import { OrchestraError } from './orchestra-error';

const name = 'OrchestraSchemaVersionError';

/** A record carries a schema version this code cannot read (newer than it knows, or with no migration path). */
export class SchemaVersionError extends OrchestraError {
  readonly record: string;
  readonly found: unknown;
  readonly supported: number;

  constructor({ record, found, supported, reason }: { record: string; found: unknown; supported: number; reason: string }) {
    super({
      name,
      code: 'ORCHESTRA_SCHEMA_VERSION',
      message: `Cannot read ${record} with schemaVersion ${JSON.stringify(found)}: ${reason} (this code reads version ${supported}).`,
    });
    this.record = record;
    this.found = found;
    this.supported = supported;
  }

  static override isInstance(error: unknown): error is SchemaVersionError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
