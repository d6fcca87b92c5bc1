import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonlExperienceStore } from '../src/jsonl-experience-store';
import { listSegments } from '../src/segment-files';
import { createRandom } from '../src/test-support/experience-factory';
import { startWorker, type RunningWorker } from '../src/test-support/worker-process';

/** What the soak found: every figure about acknowledged appends must be 0 lost and 0 duplicated. */
export interface SoakResult {
  seconds: number;
  writers: number;
  /** Faults injected from outside; besides, one writer stops itself inside the lock before every 97th file write. */
  faults: Record<'kill -9' | 'SIGSTOP', number>;
  acknowledged: number;
  /** Appends that failed (LockLostError / LockTimeoutError): never acknowledged, may or may not be stored. */
  failed: number;
  stored: number;
  lost: number;
  duplicated: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  segments: number;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Soak: `writers` append processes (one of them stopping itself inside the lock now and then) append for `seconds`
 * while a fault injector kills one with SIGKILL (and starts a replacement) or stops one with SIGSTOP past the stale
 * time and resumes it; rotation and compression run all the time (small segments). Then every acknowledged id must
 * be stored exactly once.
 */
export async function runSoak(options: { seconds: number; writers: number; seed?: number }): Promise<SoakResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orchestra-soak-'));
  const random = createRandom(options.seed ?? 15);
  const segmentMaxBytes = 256 * 1024;
  const lockTimes = { staleLockMs: 400, lockTimeoutMs: 10_000 };
  const all: RunningWorker[] = [];
  const faults = { 'kill -9': 0, SIGSTOP: 0 };
  let nextWorker = 1;
  const spawnWriter = (stallEvery = 0) => {
    const worker = startWorker(dataDir, nextWorker, 10_000_000, 8, segmentMaxBytes, { ...lockTimes, durability: nextWorker % 2 === 0 ? 'always' : 'batch', stallEvery });
    nextWorker += 1;
    all.push(worker);
    return worker;
  };
  const live = new Set<RunningWorker>();
  const stalling = spawnWriter(97);
  live.add(stalling);
  for (let index = 1; index < options.writers; index += 1) live.add(spawnWriter());
  await Promise.all([...live].map((worker) => worker.ready));
  const resume = setInterval(() => {
    if (stalling.child.exitCode === null) stalling.child.kill('SIGCONT');
  }, 700);
  const started = Date.now();
  try {
    while (Date.now() - started < options.seconds * 1000) {
      await sleep(500 + Math.floor(random() * 1000));
      const candidates = [...live].filter((worker) => worker !== stalling);
      const victim = candidates[Math.floor(random() * candidates.length)];
      if (victim === undefined) continue;
      if (random() < 0.5) {
        victim.child.kill('SIGKILL');
        faults['kill -9'] += 1;
        live.delete(victim);
        const replacement = spawnWriter();
        live.add(replacement);
        await replacement.ready;
      } else {
        victim.child.kill('SIGSTOP');
        faults.SIGSTOP += 1;
        await sleep(lockTimes.staleLockMs + 200 + Math.floor(random() * 600));
        victim.child.kill('SIGCONT');
      }
    }
  } finally {
    clearInterval(resume);
    for (const worker of all) {
      worker.child.kill('SIGCONT');
      worker.child.kill('SIGKILL');
    }
    await Promise.all(all.map((worker) => worker.exited));
  }
  const seconds = (Date.now() - started) / 1000;
  const store = await JsonlExperienceStore.open({ dataDir, segmentMaxBytes, ...lockTimes });
  const seen = new Map<string, number>();
  const stream = store.read();
  for await (const batch of stream.batches()) for (const experience of batch) seen.set(experience.id, (seen.get(experience.id) ?? 0) + 1);
  const segmentCount = (await listSegments(store.directory)).length;
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  const acknowledged = all.flatMap((worker) => worker.acknowledged);
  return {
    seconds,
    writers: options.writers,
    faults,
    acknowledged: acknowledged.length,
    failed: all.reduce((sum, worker) => sum + worker.failed.length, 0),
    stored: seen.size,
    lost: acknowledged.filter((id) => !seen.has(id)).length,
    duplicated: [...seen.values()].filter((times) => times > 1).length,
    quarantined: stream.summary.quarantined,
    quarantinedByReason: stream.summary.quarantinedByReason as Record<string, number>,
    segments: segmentCount,
  };
}
