import { promises as fs } from 'node:fs';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { QuarantineWriter } from './quarantine';
import { listSegments } from './segment-files';
import { makeExperience } from './test-support/experience-factory';
import { collect } from './test-support/temporary-directory';
import { startWorker } from './test-support/worker-process';

const directory = useTemporaryDirectory('orchestra-collector-');

describe('JsonlExperienceStore with several processes', () => {
  it('keeps every acknowledged append exactly once when 4 processes append and one is killed with SIGKILL', async () => {
    const perWorker = 2_500;
    const segmentMaxBytes = 4 * 1024 * 1024;
    const workers = [0, 1, 2, 3].map((worker) => startWorker(directory(), worker, perWorker, worker === 3 ? 64 : 16, segmentMaxBytes));
    const victim = workers[3]!;
    const killed = new Promise<void>((resolve) => {
      victim.onAcknowledged = (count) => {
        if (count === 1_000) {
          victim.child.kill('SIGKILL');
          resolve();
        }
      };
    });
    await Promise.all(workers.map((worker) => worker.ready));
    await killed;
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    expect(codes.slice(0, 3)).toEqual([0, 0, 0]);
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(victim.acknowledged.length).toBeGreaterThanOrEqual(1_000);
    expect(victim.acknowledged.length).toBeLessThan(perWorker);

    const store = await JsonlExperienceStore.open({ dataDir: directory(), segmentMaxBytes });
    const activeText = await fs.readFile(store.activePath);
    expect(activeText.length === 0 || activeText[activeText.length - 1] === 10).toBe(true);
    const seen = new Map<string, number>();
    const stream = store.read();
    for await (const experience of stream) seen.set(experience.id, (seen.get(experience.id) ?? 0) + 1);
    // Only a write the kill cut can be quarantined: a torn tail, closed by the next writer.
    expect(stream.summary.quarantined).toBe(stream.summary.quarantinedByReason['torn-tail'] ?? 0);
    expect(stream.summary.incompleteTail).toBe(0);
    const duplicates = [...seen].filter(([, times]) => times > 1);
    expect(duplicates).toEqual([]);
    for (const worker of workers) {
      const missing = worker.acknowledged.filter((id) => !seen.has(id));
      expect(missing).toEqual([]);
    }
    // The three survivors wrote everything; the victim at least what it acknowledged, at most what it issued.
    const victimStored = [...seen.keys()].filter((id) => id.startsWith('exp-1003-')).length;
    expect(seen.size - victimStored).toBe(3 * perWorker);
    expect(victimStored).toBeGreaterThanOrEqual(victim.acknowledged.length);
    // Rotation happened under contention and every torn tail (if the kill cut a write) went to the quarantine.
    expect((await listSegments(store.directory)).length).toBeGreaterThan(2);
    const quarantine = await QuarantineWriter.readAll(store.quarantinePath);
    expect(quarantine.every((entry) => entry.reason === 'torn-tail')).toBe(true);
    await store.close();
  }, 60_000);

  it('has another process repair the torn tail a killed writer left before appending after it', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory() });
    await store.append(makeExperience(5, 0));
    await store.close();
    await fs.appendFile(store.activePath, JSON.stringify(makeExperience(5, 1)).slice(0, 700));
    const worker = startWorker(directory(), 7, 40, 4, 64 * 1024 * 1024);
    expect(await worker.exited).toBe(0);
    const reopened = await JsonlExperienceStore.open({ dataDir: directory() });
    const stream = reopened.read();
    const ids = (await collect(stream)).map((experience) => experience.id);
    expect(ids).toHaveLength(41);
    expect(ids[0]).toBe('exp-5-0');
    expect(new Set(ids).size).toBe(41);
    expect(stream.summary.quarantined).toBe(1);
    const quarantine = await QuarantineWriter.readAll(reopened.quarantinePath);
    expect(quarantine.map((entry) => [entry.reason, entry.line, entry.bytes])).toEqual([['torn-tail', 2, 700]]);
    await reopened.close();
  }, 30_000);
});
