import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { LockTimeoutError } from './errors';

/** Options of `acquireFileLock`. */
export interface FileLockOptions {
  /** Give up with `LockTimeoutError` after this long. */
  timeoutMs: number;
  /** A lock older than this is treated as stale even when its process looks alive. */
  staleMs: number;
}

/** A held lock; `release` frees it (only if it is still ours). */
export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

const hostname = os.hostname();
/** A breaker lock (taken only to break a stale lock) older than this is itself stale. */
const BREAKER_STALE_MS = 5_000;

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

/** Whether process `pid` exists on this machine (EPERM means it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

async function readHolder(lockPath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(lockPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** A lock is stale when its owner process on this host is gone, or when it is older than `staleMs`. */
function isStale(holder: string, now: number, staleMs: number): boolean {
  const [pidText, , timeText, host] = holder.split(' ');
  const pid = Number(pidText);
  const takenAt = Number(timeText);
  if (!Number.isInteger(pid) || !Number.isFinite(takenAt)) return true;
  if (now - takenAt > staleMs) return true;
  return host === hostname && !isProcessAlive(pid);
}

/** Removes `lockPath` only if it still holds `staleHolder`, serialised by a second O_EXCL "breaker" lock. */
async function breakStaleLock(lockPath: string, staleHolder: string): Promise<void> {
  const breakerPath = `${lockPath}.break`;
  try {
    const handle = await fs.open(breakerPath, 'wx', 0o600);
    await handle.close();
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const stat = await fs.stat(breakerPath).catch(() => undefined);
    if (stat !== undefined && Date.now() - stat.mtimeMs > BREAKER_STALE_MS) await fs.rm(breakerPath, { force: true });
    return;
  }
  try {
    if ((await readHolder(lockPath)) === staleHolder) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(breakerPath, { force: true });
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Takes an exclusive lock between processes of one machine.
 *
 * The lock file is written complete under a private name and then `link`ed to `lockPath`: `link` is atomic and
 * fails with EEXIST when the lock is held, so a holder killed at any instant leaves either no lock or a lock that
 * names its pid (never an empty file). A lock whose pid is dead, or that is older than `staleMs`, is broken.
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions): Promise<FileLock> {
  const nonce = randomBytes(8).toString('hex');
  const temporaryPath = `${lockPath}.${process.pid}.${nonce}.tmp`;
  const started = Date.now();
  let attempt = 0;
  for (;;) {
    const holder = `${process.pid} ${nonce} ${Date.now()} ${hostname}`;
    await fs.writeFile(temporaryPath, holder, { mode: 0o600 });
    let linked = false;
    try {
      await fs.link(temporaryPath, lockPath);
      linked = true;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        await fs.rm(temporaryPath, { force: true });
        throw error;
      }
    } finally {
      await fs.rm(temporaryPath, { force: true });
    }
    if (linked) {
      return {
        path: lockPath,
        async release() {
          // A lock judged stale may have been broken and retaken by another process: never remove theirs.
          if ((await readHolder(lockPath)) === holder) await fs.rm(lockPath, { force: true });
        },
      };
    }
    const current = await readHolder(lockPath);
    if (current !== undefined && isStale(current, Date.now(), options.staleMs)) {
      await breakStaleLock(lockPath, current);
      continue;
    }
    const waited = Date.now() - started;
    if (waited > options.timeoutMs) throw new LockTimeoutError({ lockPath, waitedMs: waited, holder: current });
    attempt += 1;
    // Holders keep the lock for one write (+ fsync): spin briefly, then back off with jitter.
    await sleep(attempt < 4 ? 0 : Math.min(20, 1 + Math.floor(Math.random() * attempt)));
  }
}
