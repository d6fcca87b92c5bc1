import { acquireFileLock, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS } from '@orchestra/learning-collector';

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up (`LockTimeoutError`) after this many ms (default `DEFAULT_LOCK_TIMEOUT_MS`, 20 s: longer than the stale time). */
  timeoutMs?: number;
  /** A lock older than this (ms) is taken over even if its process looks alive (default `DEFAULT_STALE_LOCK_MS`, 10 s). */
  staleMs?: number;
}

/**
 * Runs `action` while holding the inter-process lock `path` — the collector's `acquireFileLock` (atomic create, a
 * lock of a dead process or older than `staleMs` is broken safely, and release only frees a lock still ours).
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, { timeoutMs: options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, staleMs: options.staleMs ?? DEFAULT_STALE_LOCK_MS });
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
