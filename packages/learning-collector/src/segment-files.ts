import { promises as fs } from 'node:fs';
import * as path from 'node:path';

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
