import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraLockTimeoutError';

/** The store's lock file stayed held by a live process for longer than `lockTimeoutMs`. */
export class LockTimeoutError extends OrchestraError {
  readonly lockPath: string;
  readonly waitedMs: number;
  /** The lock file's content when we gave up (`pid nonce time host`), if it could be read. */
  readonly holder: string | undefined;

  constructor({ lockPath, waitedMs, holder }: { lockPath: string; waitedMs: number; holder: string | undefined }) {
    super({
      name,
      code: 'ORCHESTRA_LOCK_TIMEOUT',
      message: `Could not take ${lockPath} within ${waitedMs} ms (held by ${holder ?? 'an unknown process'}).`,
    });
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
    this.holder = holder;
  }

  static override isInstance(error: unknown): error is LockTimeoutError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
