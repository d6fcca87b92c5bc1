import { open, rm, stat } from 'node:fs/promises';

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up after this many ms (default 10 s). */
  timeoutMs?: number;
  /** A lock file older than this (ms) is from a crashed process and is taken over (default 30 s). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `action` while holding an exclusive lock file `path` (created with `O_EXCL`, so it works across processes on
 * one machine). A lock left behind by a killed process is taken over once it is older than `staleMs`.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const started = Date.now();
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > staleMs) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${path}`);
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return await action();
  } finally {
    await rm(path, { force: true });
  }
}
