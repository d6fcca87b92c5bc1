/**
 * Child process of the multi-process reliability test: appends `count` experiences of worker `worker` to the store
 * in `dataDir`, keeping `window` appends in flight, and prints `ack <id>` for each one once `append` resolved.
 * Usage: node --import tsx append-worker.ts <dataDir> <worker> <count> <window> <segmentMaxBytes>
 */
import { JsonlExperienceStore } from '../jsonl-experience-store';
import { makeExperience } from './experience-factory';

const [dataDir, workerText, countText, windowText, segmentText] = process.argv.slice(2);
const worker = Number(workerText);
const count = Number(countText);
const window = Number(windowText);

const store = await JsonlExperienceStore.open({ dataDir, durability: 'batch', segmentMaxBytes: Number(segmentText) });
process.stdout.write('ready\n');
let next = 0;
async function lane(): Promise<void> {
  while (next < count) {
    const index = next;
    next += 1;
    const experience = makeExperience(1000 + worker, index, { withSession: index % 2 === 0 });
    await store.append(experience);
    // stdout is a pipe: writes are synchronous on Linux, so an ack printed is an ack the parent will read.
    process.stdout.write(`ack ${experience.id}\n`);
  }
}
await Promise.all(Array.from({ length: window }, () => lane()));
await store.close();
process.stdout.write('done\n');
