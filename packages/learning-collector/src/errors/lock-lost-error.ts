import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraLockLostError';

/**
 * A writer found, after writing a batch and before acknowledging it, that it no longer held the store's lock or that
 * the active segment was no longer the file it wrote to (it stalled longer than `staleLockMs`, its lock was broken
 * and another process rotated the segment). The batch is not acknowledged: it may or may not be stored.
 */
export class LockLostError extends OrchestraError {
  readonly lockPath: string;
  /** What the writer was about to do when it found out, e.g. `append`, `rotate`, `repair`. */
  readonly operation: string;

  constructor({ lockPath, operation }: { lockPath: string; operation: string }) {
    super({
      name,
      code: 'ORCHESTRA_LOCK_LOST',
      message: `Lost ${lockPath} during ${operation} (stalled longer than the stale-lock time?): not acknowledged, retry the append.`,
    });
    this.lockPath = lockPath;
    this.operation = operation;
  }

  static override isInstance(error: unknown): error is LockLostError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
