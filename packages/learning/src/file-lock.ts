import { acquireFileLock } from '@orchestra/learning-collector';

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up (`LockTimeoutError`) after this many ms (default 10 s). */
  timeoutMs?: number;
  /** A lock older than this (ms) is taken over even if its process looks alive (default 30 s). */
  staleMs?: number;
}

/**
 * Runs `action` while holding the inter-process lock `path` — the collector's `acquireFileLock` (atomic create, a
 * lock of a dead process or older than `staleMs` is broken safely, and release only frees a lock still ours).
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(path, { timeoutMs: options.timeoutMs ?? 10_000, staleMs: options.staleMs ?? 30_000 });
  try {
    return await action();
  } finally {
    await lock.release();
  }
}
