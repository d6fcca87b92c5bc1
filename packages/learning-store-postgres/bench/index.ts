/**
 * The PostgreSQL store beside the JSONL buffer, at BENCH_ROWS experiences (default 1 000 000), in one run
 * (`pnpm --filter @orchestra/learning-store-postgres bench`): ingest rate (appends of BENCH_BATCH experiences,
 * BENCH_WINDOW in flight, collector-built records), `learning-stats` (what `store.stats()` computes: the buffer's
 * segment summaries vs SQL aggregates; then with a filter: a scan vs SQL), and a full streamed read (what training
 * does). The database is a throwaway cluster of this machine with durable settings (fsync, synchronous commit, full
 * page writes on: an acknowledged append is on disk, as the JSONL buffer's group commit fsyncs). Other processes share
 * the CPU: compare the ratios of one run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonlExperienceStore, type DurableExperienceStore } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';
import { PostgresExperienceStore } from '../src/postgres-experience-store';
import { makeExperience } from '@orchestra/learning-collector/testing';
import { startTemporaryPostgres } from '../src/testing';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 1_000);
const window = Number(process.env.BENCH_WINDOW ?? 4);
const here = fileURLToPath(new URL('.', import.meta.url));
const resultsDirectory = resolve(here, '../../../bench-results');

// 5,000 distinct records (with and without raw sessions, as the collector builds them), each stored many times
// under a new id, session id and timestamp.
const templates = Array.from({ length: 5_000 }, (_, index) => makeExperience(42, index, { withSession: index % 4 !== 0 }));
const startTime = Date.UTC(2026, 0, 1);
function experienceAt(index: number): Experience {
  const template = templates[index % templates.length]!;
  return { ...template, id: `bench-${index}`, sessionId: `bench-session-${index}`, timestamp: new Date(startTime + index * 1_000).toISOString() };
}

async function ingest(store: DurableExperienceStore): Promise<{ seconds: number; perSecond: number }> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < rows) {
      const first = next;
      next = Math.min(rows, next + batchSize);
      const batch: Experience[] = [];
      for (let index = first; index < next; index += 1) batch.push(experienceAt(index));
      await store.append(batch, { validated: true });
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  await store.flush();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: rows / seconds };
}

async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { seconds: (performance.now() - started) / 1000, value };
}

async function streamAll(store: DurableExperienceStore): Promise<number> {
  let count = 0;
  for await (const batch of store.read({ quarantine: false }).batches()) count += batch.length;
  return count;
}

const filter = { from: new Date(startTime + (rows / 2) * 1_000).toISOString(), modes: ['shadow' as const] };

const directory = mkdtempSync(join(tmpdir(), 'orchestra-bench-stores-'));
const cluster = await startTemporaryPostgres({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '512MB', max_wal_size: '4GB' } });
const results: Record<string, Record<string, number>> = {};
try {
  const url = await cluster.createDatabase('bench');
  const stores: [string, DurableExperienceStore][] = [
    ['jsonl', await JsonlExperienceStore.open({ dataDir: join(directory, 'jsonl') })],
    ['postgres', await PostgresExperienceStore.open({ url, dataDir: join(directory, 'pg'), writeTimeoutMs: 600_000 })],
  ];
  for (const [name, store] of stores) {
    const ingested = await ingest(store);
    console.error(`${name}: ingested ${rows} in ${ingested.seconds.toFixed(1)} s`);
    const statsCold = await timed(() => store.stats());
    const statsWarm = await timed(() => store.stats());
    const statsFiltered = await timed(() => store.stats({ filter }));
    const stream = await timed(() => streamAll(store));
    if (statsWarm.value.stats.totalExperiences !== rows || stream.value !== rows) throw new Error(`${name}: expected ${rows} experiences, stats say ${statsWarm.value.stats.totalExperiences}, the stream ${stream.value}`);
    results[name] = {
      ingestSeconds: ingested.seconds,
      ingestPerSecond: ingested.perSecond,
      statsFirstSeconds: statsCold.seconds,
      statsSeconds: statsWarm.seconds,
      statsFilteredSeconds: statsFiltered.seconds,
      streamSeconds: stream.seconds,
      streamPerSecond: rows / stream.seconds,
    };
    await store.close();
  }
  const jsonl = results.jsonl!;
  const postgres = results.postgres!;
  console.log(`\n${rows.toLocaleString('en')} experiences; appends of ${batchSize}, ${window} in flight; PostgreSQL ${cluster.installation.version} on this machine (fsync on)`);
  const line = (what: string, key: string, unit: 's' | '/s') => {
    const format = (value: number) => (unit === 's' ? `${value.toFixed(2)} s` : `${Math.round(value).toLocaleString('en')} /s`);
    console.log([what.padEnd(44), format(jsonl[key]!).padStart(14), format(postgres[key]!).padStart(14), `${(postgres[key]! / jsonl[key]!).toFixed(2)}×`.padStart(10)].join(' '));
  };
  console.log(['what'.padEnd(44), 'JSONL'.padStart(14), 'PostgreSQL'.padStart(14), 'PG / JSONL'.padStart(10)].join(' '));
  line('ingest rate (experiences/s)', 'ingestPerSecond', '/s');
  line('learning-stats, first after ingest', 'statsFirstSeconds', 's');
  line('learning-stats (summaries | SQL)', 'statsSeconds', 's');
  line('learning-stats --since … --mode shadow', 'statsFilteredSeconds', 's');
  line('stream every experience (training read)', 'streamSeconds', 's');
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(join(resultsDirectory, 'learning-store-postgres.json'), `${JSON.stringify({ rows, batchSize, window, postgresVersion: cluster.installation.version, results }, null, 2)}\n`);
} finally {
  await cluster.stop();
  rmSync(directory, { recursive: true, force: true });
}
