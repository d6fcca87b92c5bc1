import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ExperienceStats } from './experience-stats';
import { ExperienceStatsAccumulator } from './experience-stats';
import { isMissing, isNotWritable } from './fs-errors';
import type { QuarantineEntry } from './quarantine';
import { ACTIVE_SEGMENT_NAME, snapshotSegments, type SegmentFile } from './segment-files';
import { segmentFingerprint } from './segment-reader';
import {
  loadSummary,
  OPEN_SUMMARY_NAME,
  scanSegment,
  segmentIdentity,
  segmentSummaryName,
  summaryMatches,
  writeSummary,
  type SegmentScan,
  type SummaryProblem,
} from './segment-summary';

/** What a store's `stats()` computed, and how. */
export interface StoreStatsReport {
  stats: ExperienceStats;
  /**
   * `summaries`: kept segment summaries + the open segment's unsummarised tail; `scan`: a full read (a filter was
   * given); `sql`: aggregate queries run by a database store.
   */
  method: 'summaries' | 'scan' | 'sql';
  /** Rotated segments whose summary was missing, damaged or stale: read again (re-indexed) for this call. */
  reindexed: { segment: string; problem: SummaryProblem }[];
  /** Whether re-built summaries were saved (false on a read-only data dir, or for a corrupt segment). */
  saved: boolean;
  /** Segments covered. */
  segments: number;
  /** Bytes read and parsed line by line (the open segment's tail and re-indexed segments). */
  scannedBytes: number;
}

/** What the summary functions need from the store. */
export interface SummaryContext {
  directory: string;
  maxLineBytes: number;
  readOnly: boolean;
  recordQuarantine: (entries: readonly QuarantineEntry[]) => Promise<void>;
}



function addReasons(into: Record<string, number>, from: Partial<Record<string, number>>): Record<string, number> {
  for (const [reason, count] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + (count ?? 0);
  return into;
}

/** Saves a summary; a data dir that may not be written only loses the cache. Returns whether it was saved. */
async function trySave(context: SummaryContext, name: string, body: Parameters<typeof writeSummary>[1]): Promise<boolean> {
  if (context.readOnly) return false;
  try {
    await writeSummary(path.join(context.directory, name), body);
    return true;
  } catch (error) {
    if (isNotWritable(error) || isMissing(error)) return false;
    throw error;
  }
}

async function readHead(handle: fs.FileHandle, size: number): Promise<string> {
  const head = Buffer.alloc(Math.min(256, size));
  if (head.length > 0) await handle.read(head, 0, head.length, 0);
  return segmentFingerprint(head);
}

/** What a writer kept of the active segment it alone wrote: the statistics of its first `bytes` bytes (`lines` lines). */
export interface OpenSegmentSummary {
  inode: number;
  bytes: number;
  lines: number;
  accumulator: ExperienceStatsAccumulator;
}

/**
 * Summarises a rotated (sealed) segment and saves its summary: the writer's in-memory summary when it covers the
 * whole file (it alone wrote it: nothing is read again), else the kept summary of the open segment when it was this
 * file (same inode and fingerprint) plus the lines after it, else a read of the whole segment. Called by the writer
 * that rotated it, before compression. Returns false when the segment could not be summarised (corrupt).
 */
export async function sealSegmentSummary(context: SummaryContext, plainPath: string, sequence: number, known?: OpenSegmentSummary): Promise<boolean> {
  const handle = await fs.open(plainPath, 'r');
  try {
    const stat = await handle.stat();
    const fingerprint = await readHead(handle, stat.size);
    if (known !== undefined && known.inode === stat.ino && known.bytes === stat.size) {
      return trySave(context, segmentSummaryName(sequence), {
        version: 1,
        sequence,
        inode: 0,
        fingerprint,
        bytes: known.bytes,
        lines: known.lines,
        quarantinedByReason: {},
        stats: known.accumulator.toJSON(),
      });
    }
    const open = await loadSummary(path.join(context.directory, OPEN_SUMMARY_NAME));
    const usable = typeof open !== 'string' && open.body.inode === stat.ino && open.body.fingerprint === fingerprint && open.body.bytes <= stat.size;
    const segment: SegmentFile = { sequence, path: plainPath, name: path.basename(plainPath), compressed: false, active: false };
    const scan = await scanSegment(segment, {
      maxLineBytes: context.maxLineBytes,
      recordQuarantine: context.recordQuarantine,
      handle,
      endByte: stat.size,
      ...(usable ? { startByte: open.body.bytes, startLine: open.body.lines, fingerprint } : {}),
    });
    if (scan.corrupt) return false;
    const accumulator = usable ? open.accumulator : new ExperienceStatsAccumulator();
    accumulator.merge(scan.accumulator);
    const reasons = addReasons(usable ? { ...open.body.quarantinedByReason } : {}, scan.summary.quarantinedByReason);
    const saved = await trySave(context, segmentSummaryName(sequence), {
      version: 1,
      sequence,
      inode: 0,
      fingerprint,
      bytes: scan.completeBytes,
      lines: scan.lines,
      quarantinedByReason: reasons,
      stats: accumulator.toJSON(),
    });
    if (saved && usable) await fs.rm(path.join(context.directory, OPEN_SUMMARY_NAME), { force: true });
    return saved;
  } finally {
    await handle.close();
  }
}

/**
 * Statistics of the whole buffer from its kept summaries: each rotated segment's summary (checked against the
 * segment's fingerprint and size; a missing, damaged or stale one is rebuilt by reading the segment — re-indexed —
 * and saved, so it happens once), then the open segment's kept summary and the lines appended after it (that
 * summary is then brought up to date). Exactly the statistics of one full `read()` pass (see
 * `ExperienceStatsAccumulator`), without re-reading history.
 */
export async function statsFromSummaries(context: SummaryContext): Promise<StoreStatsReport> {
  const { directory } = context;
  const total = new ExperienceStatsAccumulator();
  const reindexed: StoreStatsReport['reindexed'] = [];
  let saved = true;
  let scannedBytes = 0;
  const snapshot = await snapshotSegments(directory);
  const activeHandle = snapshot.activeHandle;
  try {
    const activeStat = activeHandle === undefined ? undefined : { ino: snapshot.activeInode!, size: snapshot.activeSize };
    const segments = snapshot.segments.filter((segment) => !segment.active);
    for (let segment of segments) {
      let identity = await segmentIdentity(segment);
      if (identity === undefined && !segment.compressed) {
        // Compressed (and the plain file removed) since it was listed.
        segment = { ...segment, path: `${segment.path}.gz`, name: `${segment.name}.gz`, compressed: true };
        identity = await segmentIdentity(segment);
      }
      const loaded = await loadSummary(path.join(directory, segmentSummaryName(segment.sequence)));
      if (typeof loaded !== 'string' && identity !== undefined && summaryMatches(loaded.body, segment, identity)) {
        total.merge(loaded.accumulator);
        continue;
      }
      reindexed.push({ segment: segment.name, problem: typeof loaded === 'string' ? loaded : 'stale' });
      const scan: SegmentScan = await scanSegment(segment, { maxLineBytes: context.maxLineBytes, recordQuarantine: context.recordQuarantine });
      scannedBytes += scan.completeBytes;
      total.merge(scan.accumulator);
      if (scan.corrupt || identity === undefined) {
        saved = false;
        continue;
      }
      const kept = await trySave(context, segmentSummaryName(segment.sequence), {
        version: 1,
        sequence: segment.sequence,
        inode: 0,
        fingerprint: identity.fingerprint,
        bytes: scan.completeBytes,
        lines: scan.lines,
        quarantinedByReason: addReasons({}, scan.summary.quarantinedByReason),
        stats: scan.accumulator.toJSON(),
      });
      saved &&= kept;
    }
    if (activeHandle !== undefined && activeStat !== undefined && activeStat.size > 0) {
      const fingerprint = await readHead(activeHandle, activeStat.size);
      const open = await loadSummary(path.join(directory, OPEN_SUMMARY_NAME));
      const usable = typeof open !== 'string' && open.body.inode === activeStat.ino && open.body.fingerprint === fingerprint && open.body.bytes <= activeStat.size;
      const active: SegmentFile = { sequence: Number.POSITIVE_INFINITY, path: path.join(directory, ACTIVE_SEGMENT_NAME), name: ACTIVE_SEGMENT_NAME, compressed: false, active: true };
      const scan = await scanSegment(active, {
        maxLineBytes: context.maxLineBytes,
        recordQuarantine: context.recordQuarantine,
        handle: activeHandle,
        endByte: activeStat.size,
        ...(usable ? { startByte: open.body.bytes, startLine: open.body.lines, fingerprint } : {}),
      });
      const start = usable ? open.body.bytes : 0;
      scannedBytes += scan.completeBytes - start;
      const accumulator = usable ? open.accumulator : new ExperienceStatsAccumulator();
      accumulator.merge(scan.accumulator);
      total.merge(accumulator);
      if (!scan.corrupt && scan.completeBytes > start) {
        await trySave(context, OPEN_SUMMARY_NAME, {
          version: 1,
          sequence: 0,
          inode: activeStat.ino,
          fingerprint,
          bytes: scan.completeBytes,
          lines: scan.lines,
          quarantinedByReason: addReasons(usable ? { ...open.body.quarantinedByReason } : {}, scan.summary.quarantinedByReason),
          stats: accumulator.toJSON(),
        });
      }
    }
    return { stats: total.result(), method: 'summaries', reindexed, saved: reindexed.length === 0 ? true : saved && !context.readOnly, segments: segments.length + (activeHandle === undefined ? 0 : 1), scannedBytes };
  } finally {
    await activeHandle?.close();
  }
}
