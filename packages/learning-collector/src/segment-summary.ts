import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { SegmentReadError } from './errors';
import { isMissing } from './fs-errors';
import { ExperienceStatsAccumulator, experienceStatsStateSchema } from './experience-stats';
import { emptyReadSummary, type ReadSummary } from './experience-stream';
import { fnv1aHex, makeQuarantineEntry, type QuarantineEntry } from './quarantine';
import type { SegmentFile } from './segment-files';
import { readSegment, segmentFingerprint } from './segment-reader';

/** Format version of summary files. */
export const SEGMENT_SUMMARY_VERSION = 1;
/** File name of the kept summary of the active segment (valid while its inode, fingerprint and size agree). */
export const OPEN_SUMMARY_NAME = 'experiences.open.summary.json';

/** File name of the summary of rotated segment `sequence`. */
export function segmentSummaryName(sequence: number): string {
  return `experiences.${String(sequence).padStart(6, '0')}.summary.json`;
}

const summaryBodySchema = z.object({
  version: z.literal(SEGMENT_SUMMARY_VERSION),
  /** Rotation number, or 0 for the active segment. */
  sequence: z.number().int().nonnegative(),
  /** Inode of the active segment the open summary covers (0 for rotated segments). */
  inode: z.number().int().nonnegative(),
  /** `segmentFingerprint` of the segment's first bytes. */
  fingerprint: z.string().regex(/^[0-9a-f]{8}$/),
  /** Plain bytes covered: the whole segment, or (active) up to the end of the last complete line read. */
  bytes: z.number().int().nonnegative(),
  /** Lines covered. */
  lines: z.number().int().nonnegative(),
  quarantinedByReason: z.record(z.string(), z.number().int().nonnegative()),
  stats: experienceStatsStateSchema,
});
export type SegmentSummaryBody = z.infer<typeof summaryBodySchema>;

const summaryFileSchema = z.object({ checksum: z.string(), body: z.unknown() });

/** Largest summary file read (a real one is a few KiB: one group per task type, domain, model, source and mode). */
export const MAX_SUMMARY_BYTES = 16 * 1024 * 1024;

/** A summary read back and checked, with the accumulator it holds. */
export interface LoadedSummary {
  body: SegmentSummaryBody;
  accumulator: ExperienceStatsAccumulator;
}

/** Why a summary file was not used. */
export type SummaryProblem = 'missing' | 'damaged' | 'stale';

/**
 * Reads and checks a summary file: JSON, checksum of the body, schema, then the accumulator. Returns the problem
 * instead when it is missing or damaged (never throws for the file's content).
 */
export async function loadSummary(file: string): Promise<LoadedSummary | SummaryProblem> {
  let handle: fs.FileHandle;
  try {
    // Never through a symlink, never a FIFO or device, never a file larger than any summary: those are damage.
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ELOOP') return 'damaged';
    throw error;
  }
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_SUMMARY_BYTES) return 'damaged';
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  try {
    const parsed = summaryFileSchema.parse(JSON.parse(text));
    if (fnv1aHex(JSON.stringify(parsed.body)) !== parsed.checksum) return 'damaged';
    const body = summaryBodySchema.parse(parsed.body);
    return { body, accumulator: ExperienceStatsAccumulator.from(body.stats) };
  } catch {
    return 'damaged';
  }
}

/** Writes a summary file atomically (0600 temporary file, then rename). It is a cache: not synced. */
export async function writeSummary(file: string, body: SegmentSummaryBody): Promise<void> {
  const checked = summaryBodySchema.parse(body);
  const text = JSON.stringify({ checksum: fnv1aHex(JSON.stringify(checked)), body: checked });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

const HEAD_COMPRESSED_BYTES = 64 * 1024;

/**
 * Identity of a rotated segment without reading it whole: the fingerprint of its first bytes (a gzip segment: its
 * first 64 KiB inflated with a sync flush) and its plain size (a gzip segment: the ISIZE trailer, size mod 2^32).
 */
export async function segmentIdentity(segment: SegmentFile): Promise<{ fingerprint: string; bytes: number } | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(segment.path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (!segment.compressed) {
      const head = Buffer.alloc(Math.min(256, size));
      await handle.read(head, 0, head.length, 0);
      return { fingerprint: segmentFingerprint(head), bytes: size };
    }
    if (size < 18) return undefined;
    const compressed = Buffer.alloc(Math.min(HEAD_COMPRESSED_BYTES, size));
    await handle.read(compressed, 0, compressed.length, 0);
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, size - 4);
    let head: Buffer;
    try {
      head = gunzipSync(compressed, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
    return { fingerprint: segmentFingerprint(head), bytes: trailer.readUInt32LE(0) };
  } finally {
    await handle.close();
  }
}

/** Whether a rotated segment's summary matches it (same fingerprint and plain size; gzip: size mod 2^32). */
export function summaryMatches(body: SegmentSummaryBody, segment: SegmentFile, identity: { fingerprint: string; bytes: number }): boolean {
  if (body.sequence !== segment.sequence || body.fingerprint !== identity.fingerprint) return false;
  return segment.compressed ? body.bytes % 2 ** 32 === identity.bytes : body.bytes === identity.bytes;
}

/** Options of `scanSegment`. */
export interface ScanSegmentOptions {
  maxLineBytes: number;
  /** Records quarantine entries (the store's writer; a read-only store only counts them). */
  recordQuarantine: (entries: readonly QuarantineEntry[]) => Promise<void>;
  /** Active segment: its open handle, snapshot size, and where a kept summary ended. */
  handle?: fs.FileHandle;
  endByte?: number;
  startByte?: number;
  startLine?: number;
  fingerprint?: string;
}

/** What `scanSegment` found: statistics of the lines scanned, and how far the complete lines went. */
export interface SegmentScan {
  accumulator: ExperienceStatsAccumulator;
  summary: ReadSummary;
  completeBytes: number;
  lines: number;
  /** The segment could not be read to its end (quarantined as `corrupt-segment`): do not keep a summary of it. */
  corrupt: boolean;
}

/**
 * Reads (part of) one segment into a statistics accumulator: each line checked as `store.read()` checks it, the
 * invalid ones quarantined and counted in `accumulator.quarantined`. A segment unreadable to its end counts one
 * `corrupt-segment`, exactly as a read does; what it yielded before stays.
 */
export async function scanSegment(segment: SegmentFile, options: ScanSegmentOptions): Promise<SegmentScan> {
  const summary = emptyReadSummary();
  const accumulator = new ExperienceStatsAccumulator();
  const progress = { completeBytes: 0, lines: 0 };
  let corrupt = false;
  const blocks = readSegment(segment, {
    maxLineBytes: options.maxLineBytes,
    predicate: undefined,
    summary,
    progress,
    ...(options.handle === undefined ? {} : { handle: options.handle }),
    ...(options.endByte === undefined ? {} : { endByte: options.endByte }),
    ...(options.startByte === undefined ? {} : { startByte: options.startByte }),
    ...(options.startLine === undefined ? {} : { startLine: options.startLine }),
    ...(options.fingerprint === undefined ? {} : { fingerprint: options.fingerprint }),
  });
  try {
    for await (const block of blocks) {
      if (block.quarantine.length > 0) await options.recordQuarantine(block.quarantine);
      for (const experience of block.experiences) accumulator.add(experience);
    }
  } catch (error) {
    if (!SegmentReadError.isInstance(error)) throw error;
    corrupt = true;
    summary.quarantined += 1;
    summary.quarantinedByReason['corrupt-segment'] = (summary.quarantinedByReason['corrupt-segment'] ?? 0) + 1;
    await options.recordQuarantine([
      makeQuarantineEntry({
        segment: segment.name,
        line: error.line,
        reason: 'corrupt-segment',
        detail: `segment ${segment.name} unreadable after line ${error.line}: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`,
        bytes: 0,
        content: '',
        segmentFingerprint: error.fingerprint ?? `name:${segment.name}`,
      }),
    ]);
  }
  accumulator.quarantined = summary.quarantined;
  return { accumulator, summary, completeBytes: progress.completeBytes, lines: progress.lines, corrupt };
}

/** Removes a summary file (missing is fine). */
export async function removeSummary(directory: string, name: string): Promise<void> {
  await fs.rm(path.join(directory, name), { force: true });
}
