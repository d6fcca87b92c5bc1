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

/** Fixed width of the lock record, so rewriting the candidate in place always overwrites all of it. */
const RECORD_WIDTH = 128;

/**
 * An exclusive lock between processes of one machine, taken and released many times.
 *
 * The holder writes `pid nonce time host` into its own candidate file and `link`s it to `lockPath`: `link` is
 * atomic and fails with EEXIST while the lock is held, so a holder killed at any instant leaves either no lock or a
 * complete one naming its pid (never an empty file). A lock whose pid is dead (same host), or that is older than
 * `staleMs`, is broken. The candidate file stays open between acquisitions, so taking the lock costs one `pwrite`
 * and one `link`, and releasing it one `stat` (is the lock still our inode?) and one `unlink`.
 */
export class InterProcessLock {
  private readonly nonce = randomBytes(8).toString('hex');
  private readonly candidatePath: string;
  private candidate: fs.FileHandle | undefined;
  private candidateInode: number | undefined;

  constructor(
    readonly path: string,
    private readonly options: FileLockOptions,
  ) {
    this.candidatePath = `${path}.${process.pid}.${this.nonce}.tmp`;
  }

  /** Waits for the lock (backing off, breaking stale locks); resolves with the function that releases it. */
  async acquire(): Promise<() => Promise<void>> {
    if (this.candidate === undefined) {
      this.candidate = await fs.open(this.candidatePath, 'w', 0o600);
      this.candidateInode = (await this.candidate.stat()).ino;
    }
    const candidate = this.candidate;
    const started = Date.now();
    let attempt = 0;
    for (;;) {
      const record = Buffer.from(`${process.pid} ${this.nonce} ${Date.now()} ${hostname}`.padEnd(RECORD_WIDTH, ' '));
      await candidate.write(record, 0, record.length, 0);
      try {
        await fs.link(this.candidatePath, this.path);
        return () => this.release();
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const current = await readHolder(this.path);
      if (current !== undefined && isStale(current, Date.now(), this.options.staleMs)) {
        await breakStaleLock(this.path, current);
        continue;
      }
      const waited = Date.now() - started;
      if (waited > this.options.timeoutMs) throw new LockTimeoutError({ lockPath: this.path, waitedMs: waited, holder: current?.trimEnd() });
      attempt += 1;
      // Holders keep the lock for one write (+ fsync): spin briefly, then back off with jitter.
      await sleep(attempt < 4 ? 0 : Math.min(20, 1 + Math.floor(Math.random() * attempt)));
    }
  }

  private async release(): Promise<void> {
    // A lock judged stale may have been broken and retaken by another process: never remove theirs.
    const stat = await fs.stat(this.path).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (stat !== undefined && stat.ino === this.candidateInode) await fs.rm(this.path, { force: true });
  }

  /** Removes the candidate file (the lock must not be held). */
  async close(): Promise<void> {
    await this.candidate?.close();
    this.candidate = undefined;
    await fs.rm(this.candidatePath, { force: true });
  }
}

/** Takes a lock once (see `InterProcessLock`); `release` frees it and removes the candidate file. */
export async function acquireFileLock(lockPath: string, options: FileLockOptions): Promise<FileLock> {
  const lock = new InterProcessLock(lockPath, options);
  let release: () => Promise<void>;
  try {
    release = await lock.acquire();
  } catch (error) {
    await lock.close();
    throw error;
  }
  return {
    path: lockPath,
    async release() {
      try {
        await release();
      } finally {
        await lock.close();
      }
    },
  };
}
