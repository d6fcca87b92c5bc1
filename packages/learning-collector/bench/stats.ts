import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Experience } from '@orchestra/learning-types';
import { ExperienceStatsAccumulator, type ExperienceStats } from '../src/experience-stats';
import { JsonlExperienceStore } from '../src/jsonl-experience-store';
import { listSegments } from '../src/segment-files';
import type { StoreStatsReport } from '../src/store-stats';
import { mark, type Mark } from './ingest';

/** Result of one pass over the buffer. */
export interface PassResult {
  name: string;
  lines: number;
  seconds: number;
  /** CPU seconds (user + system) of this process during the pass: stable under load from other processes. */
  cpuSeconds: number;
  linesPerSecond: number;
  /** Largest heap / RSS seen during the pass (garbage included), in MB. */
  peakHeapMegabytes: number;
  peakRssMegabytes: number;
  /** Heap after a full GC / RSS (MB) at 25/50/75/100 % of the pass: flat memory = these do not grow with the count. */
  heapSamples: number[];
  rssSamples: number[];
}

setFlagsFromString('--expose-gc');
/** A full garbage collection before each memory sample, so samples show retained memory, not GC timing. */
const collectGarbage = runInNewContext('gc') as () => void;

class MemoryProbe {
  readonly heapSamples: number[] = [];
  readonly rssSamples: number[] = [];
  private peakHeap = 0;
  private peakRss = 0;
  private nextSample: number;

  constructor(private readonly total: number) {
    this.nextSample = total / 4;
  }

  observe(done: number): void {
    let usage = process.memoryUsage();
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed);
    this.peakRss = Math.max(this.peakRss, usage.rss);
    if (done >= this.nextSample && this.heapSamples.length < 4) {
      collectGarbage();
      usage = process.memoryUsage();
    }
    while (done >= this.nextSample && this.heapSamples.length < 4) {
      this.heapSamples.push(Math.round(usage.heapUsed / 1e6));
      this.rssSamples.push(Math.round(usage.rss / 1e6));
      this.nextSample += this.total / 4;
    }
  }

  finish(name: string, lines: number, started: Mark): PassResult {
    const seconds = Number(process.hrtime.bigint() - started.wall) / 1e9;
    const cpu = process.cpuUsage(started.cpu);
    return {
      name,
      lines,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      linesPerSecond: lines / seconds,
      peakHeapMegabytes: Math.round(this.peakHeap / 1e6),
      peakRssMegabytes: Math.round(this.peakRss / 1e6),
      heapSamples: this.heapSamples,
      rssSamples: this.rssSamples,
    };
  }
}

/**
 * Writes `total` experiences (cycling through `experiences`, ids made unique) through the store, as the collector
 * does (`append(…, { validated: true })`, 64 MiB segments, sealed segments summarised in the background, compression
 * off so that the bare line count below reads the very same plain files). Returns the data dir and the files.
 */
export async function writeBuffer(experiences: readonly Experience[], total: number): Promise<{ dataDir: string; files: string[]; bytes: number; writeSeconds: number }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'orchestra-collector-stats-'));
  const store = await JsonlExperienceStore.open({ dataDir, compressRotatedSegments: false });
  const started = mark();
  const inFlight: Promise<unknown>[] = [];
  for (let done = 0; done < total; done += 1_000) {
    const batch: Experience[] = [];
    for (let index = done; index < Math.min(total, done + 1_000); index += 1) batch.push({ ...experiences[index % experiences.length]!, id: `bench-${index}` });
    inFlight.push(store.append(batch, { validated: true }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  // close() waits for the background summaries of sealed segments.
  await store.close();
  const writeSeconds = Number(process.hrtime.bigint() - started.wall) / 1e9;
  const segments = await listSegments(store.directory);
  let bytes = 0;
  for (const segment of segments) bytes += (await fs.stat(segment.path)).size;
  return { dataDir, files: segments.map((segment) => segment.path), bytes, writeSeconds };
}

/** Baseline: a bare streaming line count (1 MiB chunks, `indexOf` of newline bytes). */
export async function countLinesBare(files: readonly string[], total: number): Promise<PassResult> {
  const probe = new MemoryProbe(total);
  const started = mark();
  let lines = 0;
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      let position = -1;
      while ((position = chunk.indexOf(10, position + 1)) >= 0) lines += 1;
      probe.observe(lines);
    }
  }
  return probe.finish('bare line count of the same files (Buffer.indexOf, 1 MiB chunks)', lines, started);
}

/** The measured pass: `store.read()` (split, JSON.parse, pollution check, zod via parseExperience) + stats. */
export async function statsPass(dataDir: string, total: number): Promise<{ pass: PassResult; stats: ExperienceStats }> {
  const store = await JsonlExperienceStore.open({ dataDir, readOnly: true });
  const probe = new MemoryProbe(total);
  const accumulator = new ExperienceStatsAccumulator();
  const started = mark();
  const stream = store.read();
  let seen = 0;
  for await (const batch of stream.batches()) {
    for (const experience of batch) accumulator.add(experience);
    seen += batch.length;
    probe.observe(seen);
  }
  accumulator.quarantined = stream.summary.quarantined;
  const pass = probe.finish('before: full scan (store.read(): split, parse, check, aggregate)', seen, started);
  await store.close();
  return { pass, stats: accumulator.result() };
}

/**
 * `learning-stats` as the CLI computes it: `store.stats()` from the segment summaries plus the open segment's lines
 * not yet summarised (read-only store, summaries saved as a cache). Memory sampled after the call.
 */
export async function summaryStatsPass(dataDir: string, name: string): Promise<{ pass: PassResult; report: StoreStatsReport }> {
  const store = await JsonlExperienceStore.open({ dataDir, readOnly: true });
  const probe = new MemoryProbe(4);
  const started = mark();
  const report = await store.stats({ saveSummaries: true });
  probe.observe(4);
  await store.close();
  return { pass: probe.finish(name, report.stats.totalExperiences, started), report };
}

/** `orchestra learning-stats --json` as a separate process (start-up included); null when the CLI is not built. */
export function cliStatsPass(dataDir: string, cli: string, total: number): PassResult | null {
  if (!existsSync(cli)) return null;
  const started = mark();
  const result = spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb=%M', process.execPath, cli, 'learning-stats', '--json'], { env: { ...process.env, ORCHESTRA_DATA_DIR: dataDir }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started.wall) / 1e9;
  if (result.status !== 0) throw new Error(`learning-stats failed: ${result.stderr}`);
  const stats = JSON.parse(result.stdout) as ExperienceStats;
  if (stats.totalExperiences !== total) throw new Error(`learning-stats saw ${stats.totalExperiences} of ${total}`);
  const rss = Math.round(Number(/peak-rss-kb=(\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024);
  // CPU of the child is not visible to process.cpuUsage: reported as wall time.
  return { name: '`orchestra learning-stats --json` (separate process, start-up included)', lines: total, seconds, cpuSeconds: seconds, linesPerSecond: total / seconds, peakHeapMegabytes: 0, peakRssMegabytes: rss, heapSamples: [], rssSamples: [rss] };
}
