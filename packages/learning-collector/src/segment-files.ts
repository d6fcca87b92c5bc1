import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExperienceStoreError } from './errors';
import { isMissing } from './fs-errors';

/** File name of the active (appended-to) segment. */
export const ACTIVE_SEGMENT_NAME = 'experiences.jsonl';
/** File name of the lock serialising writers. */
export const LOCK_FILE_NAME = 'experiences.lock';
/** File name of the quarantine (invalid lines and torn tails, one JSON record per line). */
export const QUARANTINE_FILE_NAME = 'quarantine.jsonl';

const segmentPattern = /^experiences\.(\d{6,})\.jsonl(\.gz)?$/;

/** One file of the buffer: a rotated segment (numbered, maybe gzip-compressed) or the active one. */
export interface SegmentFile {
  /** Rotation number (1, 2, …); `Infinity` for the active segment, which is always read last. */
  sequence: number;
  path: string;
  name: string;
  compressed: boolean;
  active: boolean;
}

/** File name of rotated segment `sequence`. */
export function rotatedSegmentName(sequence: number, compressed: boolean): string {
  return `experiences.${String(sequence).padStart(6, '0')}.jsonl${compressed ? '.gz' : ''}`;
}

/**
 * Lists the segments of a buffer directory in read order. When a segment exists both plain and compressed (a
 * crash between writing the `.gz` and removing the original), the plain one is read: it is complete by construction.
 */
export async function listSegments(directory: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const bySequence = new Map<number, SegmentFile>();
  let active: SegmentFile | undefined;
  for (const name of names) {
    if (name === ACTIVE_SEGMENT_NAME) {
      active = { sequence: Number.POSITIVE_INFINITY, path: path.join(directory, name), name, compressed: false, active: true };
      continue;
    }
    const match = segmentPattern.exec(name);
    if (match === null) continue;
    const sequence = Number(match[1]);
    const compressed = match[2] !== undefined;
    const existing = bySequence.get(sequence);
    if (existing !== undefined && !existing.compressed) continue;
    bySequence.set(sequence, { sequence, path: path.join(directory, name), name, compressed, active: false });
  }
  const segments = [...bySequence.values()].sort((left, right) => left.sequence - right.sequence);
  if (active !== undefined) segments.push(active);
  return segments;
}

/** The number the next rotated segment gets. */
export async function nextSegmentSequence(directory: string): Promise<number> {
  const segments = await listSegments(directory);
  let highest = 0;
  for (const segment of segments) if (!segment.active && segment.sequence > highest) highest = segment.sequence;
  return highest + 1;
}

/** A consistent view of a buffer directory for one read: the rotated segments and the active one, held open. */
export interface SegmentSnapshot {
  /** The active segment, open (read it through this handle, up to `activeSize`); undefined when there is none. */
  activeHandle: fs.FileHandle | undefined;
  activeSize: number;
  activeInode: number | undefined;
  /** Rotated segments in order, then the active one (when there is one). */
  segments: SegmentFile[];
}

const SNAPSHOT_ATTEMPTS = 100;

/**
 * Takes a snapshot for a read: opens the active segment, lists the segments, then checks that no rotation ran in
 * between — the active name still names the file held open (a rotation links the active segment to its numbered
 * name, unlinks it, and may compress it soon after). When one did, the listing could show the held file again under
 * its numbered (maybe compressed) name — read twice — or not at all — lost to this read; the snapshot is then taken
 * again (rotations are rare: one per segment). A rotation caught between its link and unlink lists the held file
 * under its new number as well: that name is dropped. Throws `ExperienceStoreError` after 100 attempts in a row.
 */
export async function snapshotSegments(directory: string): Promise<SegmentSnapshot> {
  const activePath = path.join(directory, ACTIVE_SEGMENT_NAME);
  for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt += 1) {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(activePath, 'r');
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    let keep = false;
    try {
      const opened = handle === undefined ? undefined : await handle.stat();
      let segments = await listSegments(directory);
      const current = await fs.stat(activePath).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      });
      const consistent =
        handle === undefined
          ? current === undefined && !segments.some((segment) => segment.active)
          : current?.ino === opened!.ino && segments.some((segment) => segment.active);
      if (consistent && opened !== undefined) {
        // A rotation between its link and its unlink (in progress, or cut by a crash) lists the held file under its
        // new number too — always the newest, and still plain. It is read once, as the active segment.
        const newest = segments.filter((segment) => !segment.active).at(-1);
        if (newest !== undefined && !newest.compressed) {
          const newestStat = await fs.stat(newest.path).catch(() => undefined);
          if (newestStat?.ino === opened.ino) segments = segments.filter((segment) => segment !== newest);
        }
      }
      if (consistent) {
        keep = true;
        return { activeHandle: handle, activeSize: opened?.size ?? 0, activeInode: opened?.ino, segments };
      }
    } finally {
      if (!keep) await handle?.close();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 20)));
  }
  throw new ExperienceStoreError({ operation: 'read', path: directory, message: `the segments kept rotating during ${SNAPSHOT_ATTEMPTS} attempts to take a snapshot; retry` });
}
