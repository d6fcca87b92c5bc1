import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Experience } from '@orchestra/learning-types';
import { JsonlExperienceStore } from '../src/jsonl-experience-store';
import type { JsonlExperienceStoreConfigInput } from '../src/store-config';
import { makeExperience } from '../src/test-support/experience-factory';

/** Result of one ingest measurement. */
export interface IngestResult {
  name: string;
  experiences: number;
  bytes: number;
  seconds: number;
  /** CPU seconds (user + system, all threads of this process) spent: stable under load from other processes. */
  cpuSeconds: number;
  experiencesPerSecond: number;
  /** Experiences per CPU-second: what one otherwise idle core would sustain if the I/O keeps up. */
  experiencesPerCpuSecond: number;
  megabytesPerSecond: number;
}

/** Builds `distinct` varied experiences; the benchmark cycles through them. */
export function benchmarkExperiences(distinct: number, withSession: boolean, featureCount: number): Experience[] {
  return Array.from({ length: distinct }, (_, index) => makeExperience(2026, index, { withSession, featureCount }));
}

/** A start mark: wall clock and CPU usage. */
export interface Mark {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
}

/** Marks the start of a measurement. */
export function mark(): Mark {
  return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() };
}

function result(name: string, experiences: number, bytes: number, started: Mark): IngestResult {
  const seconds = Number(process.hrtime.bigint() - started.wall) / 1e9;
  const cpu = process.cpuUsage(started.cpu);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    name,
    experiences,
    bytes,
    seconds,
    cpuSeconds,
    experiencesPerSecond: experiences / seconds,
    experiencesPerCpuSecond: experiences / cpuSeconds,
    megabytesPerSecond: bytes / seconds / 1e6,
  };
}

async function temporaryDirectory(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'orchestra-collector-bench-'));
}

/** What `ingestThroughStore` needs of a store class: this checkout's `JsonlExperienceStore`, or another build's. */
export interface StoreOpener {
  open(config: JsonlExperienceStoreConfigInput): Promise<Pick<JsonlExperienceStore, 'append' | 'close'>>;
}

/**
 * Appends `total` experiences through `JsonlExperienceStore` (or `storeClass`) as many concurrent sessions would: single-experience
 * `append` calls, `callsPerTick` per event-loop turn, with up to `ticksInFlight` turns awaiting acknowledgement
 * (the store group-commits each turn's calls into one write + one fsync). Every acknowledgement is awaited.
 */
export async function ingestThroughStore(
  experiences: readonly Experience[],
  total: number,
  callsPerTick: number,
  config: JsonlExperienceStoreConfigInput,
  name: string,
  ticksInFlight = 4,
  validated = false,
  storeClass: StoreOpener = JsonlExperienceStore,
): Promise<IngestResult> {
  const dataDir = await temporaryDirectory();
  try {
    const store = await storeClass.open({ ...config, dataDir });
    let bytes = 0;
    const started = mark();
    const inFlight: Promise<void>[] = [];
    for (let done = 0; done < total; done += callsPerTick) {
      const calls: Promise<{ bytes: number }>[] = [];
      for (let index = done; index < Math.min(total, done + callsPerTick); index += 1) {
        calls.push(store.append(experiences[index % experiences.length]!, { validated }));
      }
      inFlight.push(
        Promise.all(calls).then((receipts) => {
          for (const receipt of receipts) bytes += receipt.bytes;
        }),
      );
      if (inFlight.length >= ticksInFlight) await inFlight.shift();
      // Let the event loop turn so this turn's calls are committed while the next ones are serialised.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
    const measured = result(name, total, bytes, started);
    await store.close();
    return measured;
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The serialisation alone, nothing written: each experience `JSON.stringify`-ed and encoded to a UTF-8 line, as the
 * store does for every append. No store that produces its lines on the appending thread can append faster than this,
 * however its I/O is arranged (even a write and sync fully overlapped with the next batch's serialisation).
 */
export function serialiseOnly(experiences: readonly Experience[], total: number, name: string): IngestResult {
  let bytes = 0;
  const started = mark();
  for (let index = 0; index < total; index += 1) bytes += Buffer.from(`${JSON.stringify(experiences[index % experiences.length])}\n`).length;
  return result(name, total, bytes, started);
}

/**
 * Baselines: a bare `fs` append — an O_APPEND handle, one `write` of `callsPerTick` records at a time, no lock,
 * and, with `sync` (the store's `batch` durability), one `fdatasync` after each write. The lines are UTF-8 buffers
 * encoded beforehand (`serialiseInTiming` false: exactly the bytes the store writes, nothing computed in the timed
 * loop but the concatenation) or `JSON.stringify`-ed and encoded in the timed loop.
 */
export async function ingestRawAppend(
  experiences: readonly Experience[],
  total: number,
  callsPerTick: number,
  serialiseInTiming: boolean,
  name: string,
  sync = true,
): Promise<IngestResult> {
  const dataDir = await temporaryDirectory();
  try {
    const lines = serialiseInTiming ? [] : experiences.map((experience) => Buffer.from(`${JSON.stringify(experience)}\n`));
    const handle = await fs.open(path.join(dataDir, 'raw.jsonl'), 'a', 0o600);
    let bytes = 0;
    const started = mark();
    for (let done = 0; done < total; done += callsPerTick) {
      const batch: Buffer[] = [];
      let size = 0;
      for (let index = done; index < Math.min(total, done + callsPerTick); index += 1) {
        const line = serialiseInTiming ? Buffer.from(`${JSON.stringify(experiences[index % experiences.length])}\n`) : lines[index % lines.length]!;
        batch.push(line);
        size += line.length;
      }
      const buffer = Buffer.concat(batch, size);
      let offset = 0;
      while (offset < buffer.length) offset += (await handle.write(buffer, offset, buffer.length - offset, null)).bytesWritten;
      if (sync) await handle.datasync();
      bytes += buffer.length;
    }
    const measured = result(name, total, bytes, started);
    await handle.close();
    return measured;
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
