/**
 * Child process of the multi-process reliability tests and the soak bench: appends `count` experiences of worker
 * `worker` to the store in `dataDir`, keeping `window` appends in flight, and prints `ack <id>` for each one once
 * `append` resolved, or `fail <id> <code>` when it rejected (the worker goes on: a failed append is never counted
 * as stored, but may be, so the caller checks it is at most duplicated, never lost).
 * Usage: node --import tsx append-worker.ts <dataDir> <worker> <count> <window> <segmentMaxBytes> [staleLockMs lockTimeoutMs durability]
 * With ORCHESTRA_TEST_STALL_EVERY=n the worker stops itself (SIGSTOP) before every n-th file write — the worst
 * moment to stall, inside the lock between choosing the file and writing to it; the parent sends SIGCONT.
 */
import { promises as fs } from 'node:fs';
import { JsonlExperienceStore } from '../jsonl-experience-store';
import { makeExperience } from './experience-factory';

const [dataDir, workerText, countText, windowText, segmentText, staleText, timeoutText, durabilityText] = process.argv.slice(2);
const worker = Number(workerText);
const count = Number(countText);
const window = Number(windowText);
const lockTimes = staleText === undefined ? {} : { staleLockMs: Number(staleText), lockTimeoutMs: Number(timeoutText) };
const durability = (durabilityText ?? 'batch') as 'always' | 'batch' | 'none';

const stallEvery = Number(process.env.ORCHESTRA_TEST_STALL_EVERY ?? 0);
if (stallEvery > 0) {
  const probe = await fs.open(process.execPath, 'r');
  const prototype = Object.getPrototypeOf(probe) as { write: (...parameters: unknown[]) => Promise<unknown> };
  await probe.close();
  const write = prototype.write;
  let calls = 0;
  prototype.write = function (this: unknown, ...parameters: unknown[]) {
    calls += 1;
    if (calls % stallEvery === 0) process.kill(process.pid, 'SIGSTOP');
    return write.apply(this, parameters);
  };
}

const store = await JsonlExperienceStore.open({ dataDir, durability, segmentMaxBytes: Number(segmentText), ...lockTimes });
process.stdout.write('ready\n');
let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    const index = next;
    next += 1;
    const experience = makeExperience(1000 + worker, index, { withSession: index % 2 === 0 });
    try {
      await store.append(experience);
    } catch (error) {
      process.stdout.write(`fail ${experience.id} ${(error as { code?: string }).code ?? 'unknown'}\n`);
      continue;
    }
    // stdout is a pipe: writes are synchronous on Linux, so an ack printed is an ack the parent will read.
    process.stdout.write(`ack ${experience.id}\n`);
  }
}
await Promise.all(Array.from({ length: window }, () => lane()));
await store.close();
process.stdout.write('done\n');
