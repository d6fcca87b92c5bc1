import { createReadStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Experience } from '@orchestra/learning-types';
import { ExperienceStatsAccumulator, type ExperienceStats } from '../src/experience-stats';
import { JsonlExperienceStore } from '../src/jsonl-experience-store';
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

/** Writes `total` experiences (cycling through `experiences`, ids made unique) into a fresh buffer; returns its data dir. */
export async function writeBuffer(experiences: readonly Experience[], total: number): Promise<{ dataDir: string; file: string; bytes: number }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'orchestra-collector-stats-'));
  const store = await JsonlExperienceStore.open({ dataDir, segmentMaxBytes: 1024 * 1024 * 1024 * 64 });
  await store.close();
  const lines = experiences.map((experience) => JSON.stringify(experience));
  const handle = await fs.open(store.activePath, 'a');
  let bytes = 0;
  for (let done = 0; done < total; done += 5_000) {
    let text = '';
    for (let index = done; index < Math.min(total, done + 5_000); index += 1) {
      const line = lines[index % lines.length]!;
      text += `${line.replace(/"id":"[^"]*"/, `"id":"bench-${index}"`)}\n`;
    }
    const buffer = Buffer.from(text);
    await handle.write(buffer, 0, buffer.length, null);
    bytes += buffer.length;
  }
  await handle.close();
  return { dataDir, file: store.activePath, bytes };
}

/** Baseline: a bare streaming line count (1 MiB chunks, `indexOf` of newline bytes). */
export async function countLinesBare(file: string, total: number): Promise<PassResult> {
  const probe = new MemoryProbe(total);
  const started = mark();
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let position = -1;
    while ((position = chunk.indexOf(10, position + 1)) >= 0) lines += 1;
    probe.observe(lines);
  }
  return probe.finish('bare line count (Buffer.indexOf)', lines, started);
}

/** Second baseline: the usual Node idiom, `readline` over a read stream, counting lines. */
export async function countLinesReadline(file: string, total: number): Promise<PassResult> {
  const probe = new MemoryProbe(total);
  const started = mark();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1024 * 1024 }), crlfDelay: Infinity })) {
    if (line.length > 0) lines += 1;
    if ((lines & 0x3fff) === 0) probe.observe(lines);
  }
  probe.observe(lines);
  return probe.finish('readline line count', lines, started);
}

/** Floor of any JSON reader: readline + `JSON.parse` of every line, nothing else. */
export async function parseOnly(file: string, total: number): Promise<PassResult> {
  const probe = new MemoryProbe(total);
  const started = mark();
  let lines = 0;
  let checksum = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1024 * 1024 }), crlfDelay: Infinity })) {
    const value = JSON.parse(line) as { propensity: number };
    checksum += value.propensity;
    lines += 1;
    if ((lines & 0x3fff) === 0) probe.observe(lines);
  }
  probe.observe(lines);
  if (!Number.isFinite(checksum)) throw new Error('unreachable');
  return probe.finish('readline + JSON.parse only', lines, started);
}

/** The measured pass: `store.read()` (split, JSON.parse, pollution check, zod via parseExperience) + stats. */
export async function statsPass(dataDir: string, total: number): Promise<{ pass: PassResult; stats: ExperienceStats }> {
  const store = await JsonlExperienceStore.open({ dataDir, segmentMaxBytes: 1024 * 1024 * 1024 * 64 });
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
  const pass = probe.finish('stats (read + validate + aggregate)', seen, started);
  await store.close();
  return { pass, stats: accumulator.result() };
}
