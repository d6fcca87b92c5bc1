import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { LockTimeoutError } from './errors';

/**
 * Default time after which a held lock is broken even though its process looks alive (a holder stopped by SIGSTOP,
 * a hung NFS write…). A holder keeps the lock for one write and one fsync, so 10 s is far beyond any healthy hold.
 */
export const DEFAULT_STALE_LOCK_MS = 10_000;
/**
 * Default time a writer waits for the lock: longer than `DEFAULT_STALE_LOCK_MS`, so a writer blocked by a stuck
 * holder breaks its lock instead of timing out first.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 20_000;

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

/**
 * The state letter of process `pid` from `/proc/<pid>/stat` (`R`, `S`, `T`, `Z`…), or undefined where there is no
 * procfs (macOS, Windows) or the process is gone.
 */
function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses: the state follows the last `)`.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` exists on this machine and can still act (EPERM means it exists but belongs to someone
 * else). A zombie (killed, not yet reaped by its parent) answers signal 0 like a live process but will never
 * release a lock: it counts as dead.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
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
 * `staleMs`, is broken (a zombie counts as dead). Breaking a lock of a process that is only stopped is safe for the
 * store because its writers check `holds()` after writing and fail the append instead of acknowledging it. The
 * candidate file stays open between acquisitions, so taking the lock costs one `pwrite`
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

  /**
   * Whether the lock file is still our candidate's inode — the fence a writer checks after writing and before
   * acknowledging. Once a stale lock of ours has been broken, the name never points at our inode again (we only
   * `link` it in `acquire`, and our open candidate file keeps its inode number from being reused).
   */
  async holds(): Promise<boolean> {
    if (this.candidateInode === undefined) return false;
    try {
      return (await fs.stat(this.path)).ino === this.candidateInode;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
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
