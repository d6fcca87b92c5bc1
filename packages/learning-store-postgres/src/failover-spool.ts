import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { acquireFileLock, isProcessAlive, JsonlExperienceStore, type FileLock } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';

/** Name of the directory (in the data dir) holding the failover buffers of the processes of this host. */
export const FAILOVER_DIRECTORY = 'postgres_failover';

const ownerPattern = /^(.+)-(\d+)-([0-9a-f]{8})$/;

/** A host name usable in a directory name. */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '_').slice(0, 64) || 'host';
}

/**
 * The local buffers a PostgreSQL store writes to while the database is down or slow: one JSONL buffer per process
 * (`<dataDir>/postgres_failover/<host>-<pid>-<random>/experience_buffer`, the collector's durable store, so an
 * acknowledged append survives a crash), drained into the database when it is back. A process drains its own buffer
 * and those that processes of the same host left when they died; the database's unique constraints make a replay
 * idempotent, so a buffer replayed twice (a crash after the insert, before the removal) stores nothing twice.
 */
export class FailoverSpool {
  readonly root: string;
  private name: string;
  private current: Promise<JsonlExperienceStore> | undefined;
  /** Experiences appended to this process's current buffer. */
  private spooled = 0;
  /** Appends under way (a drain waits for them before it closes the buffer they write to). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(dataDir: string) {
    this.root = path.join(path.resolve(dataDir), FAILOVER_DIRECTORY);
    this.name = `${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Experiences appended to this process's buffer and not yet drained. */
  get pending(): number {
    return this.spooled;
  }

  private open(): Promise<JsonlExperienceStore> {
    if (this.current === undefined) {
      const directory = path.join(this.root, this.name);
      const opening = (async () => {
        await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
        return JsonlExperienceStore.open({ dataDir: directory, durability: 'batch' });
      })();
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
      this.current = opening;
    }
    return this.current;
  }

  /** Appends durably (group commit + fsync) to this process's buffer. */
  async append(experiences: readonly Experience[]): Promise<void> {
    for (;;) {
      const opening = this.open();
      const store = await opening;
      // A drain swapped the buffer while this append waited for it: write to the fresh one (the old one is closing).
      if (this.current !== opening) continue;
      const appended = store.append(experiences, { validated: true });
      this.inFlight.add(appended);
      try {
        await appended;
      } finally {
        this.inFlight.delete(appended);
      }
      this.spooled += experiences.length;
      return;
    }
  }

  /** Whether any buffer of this host (this process's or a dead one's) may hold experiences to replay. */
  async hasWork(): Promise<boolean> {
    return (await this.drainable()).length > 0;
  }

  /** Directories to drain: this process's (when it spooled) and those of dead processes of this host. */
  private async drainable(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const host = hostTag();
    return names.filter((name) => {
      if (name === this.name) return this.current !== undefined;
      const match = ownerPattern.exec(name);
      return match !== null && match[1] === host && !isProcessAlive(Number(match[2]));
    });
  }

  /**
   * Replays every drainable buffer through `insert` (batches of at most `batchSize`), then removes it. This
   * process's buffer is swapped for a fresh one first, so appends made meanwhile are kept for the next drain.
   * A buffer another process is draining (its lock is held) is skipped. Returns the experiences replayed; throws
   * (keeping the buffer) when `insert` fails.
   */
  async drain(insert: (batch: readonly Experience[]) => Promise<void>, batchSize = 1_000): Promise<number> {
    let replayed = 0;
    for (const name of await this.drainable()) {
      const directory = path.join(this.root, name);
      if (name === this.name) {
        const store = await this.current!;
        this.current = undefined;
        this.spooled = 0;
        await Promise.allSettled([...this.inFlight]);
        await store.close();
        // A fresh buffer for this process from now on: the drained one is removed below.
        this.name = `${hostTag()}-${process.pid}-${randomBytes(4).toString('hex')}`;
      }
      let lock: FileLock;
      try {
        lock = await acquireFileLock(path.join(directory, 'drain.lock'), { timeoutMs: 50, staleMs: 600_000 });
      } catch {
        continue;
      }
      try {
        const store = await JsonlExperienceStore.open({ dataDir: directory, readOnly: true });
        let batch: Experience[] = [];
        for await (const block of store.read({ quarantine: false }).batches()) {
          for (const experience of block) {
            batch.push(experience);
            if (batch.length >= batchSize) {
              await insert(batch);
              replayed += batch.length;
              batch = [];
            }
          }
        }
        if (batch.length > 0) {
          await insert(batch);
          replayed += batch.length;
        }
        await store.close();
      } finally {
        await lock.release();
      }
      await fs.rm(directory, { recursive: true, force: true });
    }
    return replayed;
  }

  /** Closes this process's buffer (what it holds stays on disk for the next drain). */
  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current !== undefined) await (await current).close();
  }
}
