import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraExportError';

/** Why an export was refused or failed. */
export type ExportErrorReason =
  | 'invalid-path'
  | 'missing-directory'
  | 'symlink'
  | 'not-a-regular-file'
  | 'exists'
  | 'write-failed';

/**
 * An export to a file was refused (empty path, missing directory, a symlink or non-regular target, an existing file
 * without `overwrite`) or failed while writing (disk full, read error). The target is never left half-written.
 */
export class ExportError extends OrchestraError {
  readonly path: string;
  readonly reason: ExportErrorReason;

  constructor({ path, reason, message, cause }: { path: string; reason: ExportErrorReason; message: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_EXPORT', message: `Cannot export to ${JSON.stringify(path)}: ${message}`, cause });
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ExportError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
