import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockLostError } from './errors';
import { computeExperienceStats } from './experience-stats';
import { acquireFileLock, isProcessAlive } from './file-lock';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { findForbiddenKey, MAX_LINE_NESTING_DEPTH, parseExperienceLine } from './parse-experience-line';
import { QuarantineWriter } from './quarantine';
import { listSegments } from './segment-files';
import { resolveStoreConfig } from './store-config';
import { makeExperience } from './test-support/experience-factory';
import { collect, createTemporaryDirectory } from './test-support/temporary-directory';
import { startWorker, type RunningWorker } from './test-support/worker-process';

let directory: string;
let remove: () => void;
beforeEach(() => {
  ({ directory, remove } = createTemporaryDirectory('orchestra-faults-'));
});
afterEach(() => remove());

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** `{"a":{"a":…{"<key>":1}…}}` nested `depth` objects deep, as text. */
function deeplyNestedLine(depth: number, key = 'proto'): string {
  return `${'{"a":'.repeat(depth)}{"${key}":1}${'}'.repeat(depth)}`;
}

describe('hostile lines', () => {
  it('quarantines a line of 8,000 nested objects holding "proto" (too-deep) instead of overflowing the stack', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    await store.append([makeExperience(1, 0), makeExperience(1, 1)]);
    await fs.appendFile(store.activePath, `${deeplyNestedLine(8_000)}\n${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    await store.append(makeExperience(1, 2));
    const stats = await computeExperienceStats(store.read());
    expect(stats.totalExperiences).toBe(3);
    expect(stats.quarantined).toBe(2);
    const quarantine = await QuarantineWriter.readAll(store.quarantinePath);
    expect(quarantine.map((entry) => [entry.reason, entry.line])).toEqual([
      ['too-deep', 3],
      ['not-an-object', 4],
    ]);
    await store.close();
  });

  it('finds a forbidden key 200,000 levels deep without recursion, and bounds the depth of accepted lines', () => {
    const root: Record<string, unknown> = {};
    let cursor = root;
    for (let level = 0; level < 200_000; level += 1) {
      const child: Record<string, unknown> = {};
      cursor.a = child;
      cursor = child;
    }
    (cursor as Record<string, unknown>)['constructor'] = 1;
    expect(findForbiddenKey(root)?.endsWith('.a.constructor')).toBe(true);
    expect(parseExperienceLine(deeplyNestedLine(MAX_LINE_NESTING_DEPTH))).toMatchObject({ valid: false, reason: 'too-deep' });
    expect(parseExperienceLine(deeplyNestedLine(MAX_LINE_NESTING_DEPTH - 2, 'constructor'))).toMatchObject({ valid: false, reason: 'forbidden-key' });
    // Brackets inside strings are text, not nesting.
    expect(parseExperienceLine(`{"text":"${'['.repeat(1_000)}\\"${'{'.repeat(1_000)}"}`)).not.toMatchObject({ reason: 'too-deep' });
  });
});

describe('a writer that loses its lock while writing (fencing)', () => {
  it('fails the append with LockLostError when its lock was broken and the segment rotated before it acknowledged', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, durability: 'always' });
    await store.append(makeExperience(2, 0));
    const handle = await fs.open(store.activePath, 'r');
    const prototype = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const original = prototype.datasync;
    // While this writer "stalls" between its write and its fence, another process breaks its lock and rotates.
    const spy = vi.spyOn(prototype, 'datasync').mockImplementationOnce(async function (this: unknown) {
      await original.call(this);
      await fs.rm(store.lockPath);
      await fs.rename(store.activePath, path.join(store.directory, 'experiences.000001.jsonl'));
    });
    try {
      await expect(store.append(makeExperience(2, 1))).rejects.toSatisfy(LockLostError.isInstance);
    } finally {
      spy.mockRestore();
    }
    // The next append finds the new active segment and is acknowledged; nothing acknowledged is missing.
    await store.append(makeExperience(2, 2));
    const ids = (await collect(store.read())).map((experience) => experience.id);
    expect(ids).toContain('exp-2-0');
    expect(ids).toContain('exp-2-2');
    await store.close();
  });

  it('loses no acknowledged append when a lock holder is stopped (SIGSTOP) past the stale time while another rotates', async () => {
    const segmentMaxBytes = 24 * 1024;
    const options = { staleLockMs: 250, lockTimeoutMs: 10_000, durability: 'always' as const };
    // Worker 1 stops itself before every 23rd write (inside the lock, before writing its batch); we resume it.
    const stalling = startWorker(directory, 1, 150, 2, segmentMaxBytes, { ...options, stallEvery: 23 });
    const other = startWorker(directory, 2, 400, 4, segmentMaxBytes, options);
    const workers: RunningWorker[] = [stalling, other];
    const resume = setInterval(() => stalling.child.kill('SIGCONT'), 600);
    try {
      await Promise.all(workers.map((worker) => worker.ready));
      expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0]);
    } finally {
      clearInterval(resume);
      for (const worker of workers) worker.child.kill('SIGCONT');
    }
    const store = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes });
    const stream = store.read();
    const seen = new Map<string, number>();
    for await (const experience of stream) seen.set(experience.id, (seen.get(experience.id) ?? 0) + 1);
    for (const worker of workers) {
      expect(worker.acknowledged.filter((id) => !seen.has(id))).toEqual([]);
      expect(worker.failed.every(([, code]) => code === 'ORCHESTRA_LOCK_LOST' || code === 'ORCHESTRA_LOCK_TIMEOUT')).toBe(true);
    }
    expect(stalling.acknowledged.length + stalling.failed.length).toBe(150);
    expect(other.acknowledged.length + other.failed.length).toBe(400);
    expect([...seen.values()].every((times) => times === 1)).toBe(true);
    // Whatever is stored was issued; a stray marker of a fenced-off writer is the only possible quarantine.
    const issued = new Set(workers.flatMap((worker) => [...worker.acknowledged, ...worker.failed.map(([id]) => id)]));
    expect([...seen.keys()].filter((id) => !issued.has(id))).toEqual([]);
    expect(stream.summary.quarantined).toBe(stream.summary.quarantinedByReason['torn-tail'] ?? 0);
    expect((await listSegments(store.directory)).length).toBeGreaterThan(3);
    await store.close();
  }, 60_000);
});

describe('a rotation cut between its link and its unlink (kill -9)', () => {
  it('is finished by the next writer: nothing read twice, nothing lost, before and after the next rotation', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 12 * 1024 });
    await store.append([makeExperience(6, 0), makeExperience(6, 1)]);
    // Another process, killed while rotating, had linked the active segment to its numbered name, not unlinked it;
    // this writer still holds the file open.
    await fs.link(store.activePath, path.join(store.directory, 'experiences.000001.jsonl'));
    const experiences = Array.from({ length: 30 }, (_, index) => makeExperience(6, index + 2));
    for (const experience of experiences) await store.append(experience);
    const expected = Array.from({ length: 32 }, (_, index) => `exp-6-${index}`);
    expect((await collect(store.read())).map((experience) => experience.id)).toEqual(expected);
    expect((await fs.stat(store.activePath)).nlink).toBe(1);
    await store.close();
    // The same cut, found by a process that opens the buffer afterwards.
    await fs.link(store.activePath, path.join(store.directory, 'experiences.000099.jsonl'));
    const reopened = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 12 * 1024 });
    await reopened.append(makeExperience(6, 32));
    expect((await collect(reopened.read())).map((experience) => experience.id)).toEqual([...expected, 'exp-6-32']);
    await reopened.close();
  });
});

describe('stale and zombie locks', () => {
  it('waits longer for the lock than it takes to call a lock stale, by default and by validation', () => {
    const defaults = resolveStoreConfig();
    expect(defaults.lockTimeoutMs).toBeGreaterThan(defaults.staleLockMs);
    expect(() => resolveStoreConfig({ lockTimeoutMs: 5_000, staleLockMs: 30_000 })).toThrow(/lockTimeoutMs/);
  });

  it.skipIf(process.platform !== 'linux')('breaks at once a lock whose holder is a zombie (killed, never reaped)', async () => {
    // sh starts a short sleep in the background, then becomes a long `sleep`, which never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      let state = '';
      for (let attempt = 0; attempt < 250 && state !== 'Z'; attempt += 1) {
        const stat = readFileSync(`/proc/${zombie}/stat`, 'latin1');
        state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        if (state !== 'Z') await sleep(20);
      }
      expect(state).toBe('Z');
      expect(isProcessAlive(zombie)).toBe(false);
      const lockPath = path.join(directory, 'zombie.lock');
      await fs.writeFile(lockPath, `${zombie} feedface ${Date.now()} ${(await import('node:os')).hostname()}`);
      const started = Date.now();
      const lock = await acquireFileLock(lockPath, { timeoutMs: 5_000, staleMs: 60_000 });
      expect(Date.now() - started).toBeLessThan(4_000);
      await lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('corrupt segments', () => {
  it('quarantines a corrupt or truncated compressed segment by name and reason, and reads every other one', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 16 * 1024 });
    const experiences = Array.from({ length: 60 }, (_, index) => makeExperience(3, index));
    for (const experience of experiences) await store.append(experience);
    await store.close();
    const rotated = (await listSegments(store.directory)).filter((segment) => !segment.active);
    expect(rotated.length).toBeGreaterThanOrEqual(5);
    expect(rotated.every((segment) => segment.compressed)).toBe(true);
    const truncated = rotated[1]!;
    const garbled = rotated[2]!;
    const empty = rotated[3]!;
    const truncatedBytes = await fs.readFile(truncated.path);
    await fs.writeFile(truncated.path, truncatedBytes.subarray(0, Math.floor(truncatedBytes.length / 2)));
    const garbledBytes = await fs.readFile(garbled.path);
    garbledBytes.fill(0x5a, 10, garbledBytes.length - 10);
    await fs.writeFile(garbled.path, garbledBytes);
    // Not gzip at all: unreadable from the first byte, like the garbled one.
    await fs.writeFile(empty.path, 'not gzip');

    const reopened = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 16 * 1024 });
    const stream = reopened.read();
    const ids = (await collect(stream)).map((experience) => experience.id);
    const readPlain = async (segment: (typeof rotated)[number]) => {
      const { gunzipSync } = await import('node:zlib');
      return gunzipSync(await fs.readFile(segment.path)).toString().trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    };
    const intact = [rotated[0]!, ...rotated.slice(4)];
    for (const segment of intact) for (const id of await readPlain(segment)) expect(ids).toContain(id);
    expect(ids).toContain('exp-3-59');
    expect(stream.summary.quarantinedByReason['corrupt-segment']).toBe(3);
    const quarantine = await QuarantineWriter.readAll(reopened.quarantinePath);
    expect(quarantine.filter((entry) => entry.reason === 'corrupt-segment').map((entry) => entry.segment).sort()).toEqual([garbled.name, truncated.name, empty.name].sort());
    expect(quarantine.every((entry) => entry.detail.includes(entry.segment))).toBe(true);
    // A second read records nothing new, and the damaged files are kept for a human.
    await collect(reopened.read());
    expect(await QuarantineWriter.readAll(reopened.quarantinePath)).toHaveLength(quarantine.length);
    await fs.access(truncated.path);
    await reopened.close();
  });
});

describe('a read-only data dir', () => {
  it('is read with readOnly: no directory, lock, repair or quarantine file is created or changed', async () => {
    const missing = await JsonlExperienceStore.open({ dataDir: path.join(directory, 'absent'), readOnly: true });
    expect(await collect(missing.read())).toEqual([]);
    await expect(fs.access(path.join(directory, 'absent'))).rejects.toThrow();
    await expect(missing.append(makeExperience(4, 0))).rejects.toThrow(/read-only/);

    const writer = await JsonlExperienceStore.open({ dataDir: directory });
    await writer.append([makeExperience(4, 0), makeExperience(4, 1)]);
    await writer.close();
    await fs.appendFile(writer.activePath, '{"not":"an experience"}\n{"torn');
    const before = await snapshot(writer.directory);
    const reader = await JsonlExperienceStore.open({ dataDir: directory, readOnly: true });
    const stream = reader.read();
    expect((await collect(stream)).map((experience) => experience.id)).toEqual(['exp-4-0', 'exp-4-1']);
    expect(stream.summary.quarantined).toBe(1);
    expect(stream.summary.incompleteTail).toBe(1);
    await reader.close();
    expect(await snapshot(writer.directory)).toEqual(before);
  });

  it.skipIf(process.getuid?.() === 0)('reads a buffer whose directories the process may not write', async () => {
    const writer = await JsonlExperienceStore.open({ dataDir: directory });
    await writer.append(makeExperience(5, 0));
    await writer.close();
    await fs.chmod(writer.directory, 0o500);
    try {
      const reader = await JsonlExperienceStore.open({ dataDir: directory, readOnly: true });
      expect((await collect(reader.read())).map((experience) => experience.id)).toEqual(['exp-5-0']);
      await reader.close();
    } finally {
      await fs.chmod(writer.directory, 0o700);
    }
  });
});

async function snapshot(target: string): Promise<string[]> {
  const names = (await fs.readdir(target)).sort();
  return Promise.all(names.map(async (name) => {
    const stat = await fs.stat(path.join(target, name));
    return `${name} ${stat.size} ${stat.mtimeMs} ${(stat.mode & 0o777).toString(8)}`;
  }));
}
