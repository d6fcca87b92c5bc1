import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError } from './errors';
import { acquireFileLock, isProcessAlive } from './file-lock';
import { createTemporaryDirectory } from './test-support/temporary-directory';

let directory: string;
let remove: () => void;
beforeEach(() => {
  ({ directory, remove } = createTemporaryDirectory());
});
afterEach(() => remove());

/** The pid of a process that has already exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(result.stdout.toString());
}

describe('acquireFileLock', () => {
  it('excludes a second holder until the first releases', async () => {
    const lockPath = path.join(directory, 'test.lock');
    const first = await acquireFileLock(lockPath, { timeoutMs: 1_000, staleMs: 30_000 });
    const order: string[] = [];
    const second = acquireFileLock(lockPath, { timeoutMs: 2_000, staleMs: 30_000 }).then((lock) => {
      order.push('second acquired');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('first releases');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['first releases', 'second acquired']);
    await expect(fs.stat(lockPath)).rejects.toThrow();
    expect(await fs.readdir(directory)).toEqual([]);
  });

  it('breaks a lock whose process is dead', async () => {
    const lockPath = path.join(directory, 'test.lock');
    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    await fs.writeFile(lockPath, `${pid} cafe ${Date.now()} ${os.hostname()}`);
    const lock = await acquireFileLock(lockPath, { timeoutMs: 500, staleMs: 30_000 });
    expect((await fs.readFile(lockPath, 'utf8')).startsWith(`${process.pid} `)).toBe(true);
    await lock.release();
  });

  it('breaks a lock older than staleMs even if its process is alive', async () => {
    const lockPath = path.join(directory, 'test.lock');
    await fs.writeFile(lockPath, `${process.pid} cafe ${Date.now() - 60_000} ${os.hostname()}`);
    const lock = await acquireFileLock(lockPath, { timeoutMs: 500, staleMs: 30_000 });
    await lock.release();
  });

  it('times out with LockTimeoutError naming the holder when a live process keeps the lock', async () => {
    const lockPath = path.join(directory, 'test.lock');
    const holder = `${process.pid} beef ${Date.now()} ${os.hostname()}`;
    await fs.writeFile(lockPath, holder);
    const error = await acquireFileLock(lockPath, { timeoutMs: 100, staleMs: 30_000 }).catch((caught: unknown) => caught);
    expect(LockTimeoutError.isInstance(error)).toBe(true);
    expect((error as LockTimeoutError).holder).toBe(holder);
  });

  it('does not remove a lock that was taken over after being judged stale', async () => {
    const lockPath = path.join(directory, 'test.lock');
    const lock = await acquireFileLock(lockPath, { timeoutMs: 500, staleMs: 30_000 });
    const other = `${process.pid} other ${Date.now()} ${os.hostname()}`;
    // A takeover removes the (stale-judged) lock and links a new file in its place.
    await fs.rm(lockPath);
    await fs.writeFile(lockPath, other);
    await lock.release();
    expect(await fs.readFile(lockPath, 'utf8')).toBe(other);
  });
});
