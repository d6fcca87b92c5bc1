/**
 * Child process of the multi-process tests: appends sessions `first … first + count − 1` of seed `seed` (one
 * experience per append, `window` appends in flight) to the PostgreSQL store at `url`, and prints `ack <id>` for each
 * append the store acknowledged (stored, or already stored), `fail <id>` for each it refused.
 * Usage: node --import tsx ingest-worker.ts <url> <dataDir> <seed> <first> <count> <window>
 */
import { PostgresExperienceStore } from '../postgres-experience-store';
import { makeExperience } from '@orchestra/learning-collector/testing';

const [url, dataDir, seedText, firstText, countText, windowText] = process.argv.slice(2) as [string, string, string, string, string, string];
const seed = Number(seedText);
const first = Number(firstText);
const count = Number(countText);
const window = Number(windowText);
const store = await PostgresExperienceStore.open({ url, dataDir, retryIntervalMs: 200, writeTimeoutMs: 5_000 }, { onWarning: (message) => process.stderr.write(`warning ${message}\n`) });
process.stdout.write('ready\n');
let next = first;
async function lane(): Promise<void> {
  while (next < first + count) {
    const index = next;
    next += 1;
    const experience = makeExperience(seed, index, { withSession: index % 2 === 0 });
    try {
      await store.append(experience);
    } catch (error) {
      process.stdout.write(`fail ${experience.id} ${(error as Error).message.split('\n')[0]}\n`);
      continue;
    }
    process.stdout.write(`ack ${experience.id}\n`);
  }
}
await Promise.all(Array.from({ length: window }, () => lane()));
await store.close();
process.stdout.write('done\n');
