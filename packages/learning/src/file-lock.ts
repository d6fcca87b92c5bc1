import { acquireFileLock, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS, type FileLockOptions } from '@orchestra/learning-collector';

/**
 * Runs `action` while holding the inter-process lock `path` — the collector's `acquireFileLock` (atomic create, a
 * lock of a dead process or older than `staleMs` is broken safely, and release only frees a lock still ours), with its
 * options each defaulted: `timeoutMs` to `DEFAULT_LOCK_TIMEOUT_MS` (20 s, longer than the stale time), `staleMs` to
 * `DEFAULT_STALE_LOCK_MS` (10 s).
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: Partial<FileLockOptions> = {}): Promise<T> {
  const lock = await acquireFileLock(path, { timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, staleMs: options.staleMs ?? DEFAULT_STALE_LOCK_MS });
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
