import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Experience } from '@orchestra/learning-types';
import type { ExperiencePredicate } from './experience-filter';
import type { ReadSummary } from './experience-stream';
import { parseExperienceLine } from './parse-experience-line';
import { SegmentReadError } from './errors';
import { fnv1aHex, makeQuarantineEntry, TORN_TAIL_MARKER, type QuarantineEntry, type QuarantineReason } from './quarantine';
import type { SegmentFile } from './segment-files';

// 128 KiB blocks: small enough that a block's parsed experiences die young (1 MiB blocks spent ~20 % more CPU in GC).
const CHUNK_BYTES = 128 * 1024;
const NEWLINE = 10;
const TORN_TAIL_MARKER_BYTES = Buffer.from(TORN_TAIL_MARKER);

/** Options of `readSegment`. */
export interface SegmentReadOptions {
  maxLineBytes: number;
  predicate: ExperiencePredicate | undefined;
  summary: ReadSummary;
  /** For the active segment: read only this many bytes (the size when the read started). */
  endByte?: number;
  /** For the active segment: an already open handle (so a rotation during the read changes nothing). */
  handle?: fs.FileHandle;
  /**
   * For the active segment (with `handle`): start at this byte, the start of a line (the end of what a kept summary
   * covers), with `startLine` lines before it and the segment's `fingerprint` (quarantine entries then name the
   * right line and segment). Default 0.
   */
  startByte?: number;
  startLine?: number;
  fingerprint?: string;
  /** Filled in at the end of the read: bytes up to the end of the last complete line, and lines up to there. */
  progress?: { completeBytes: number; lines: number };
}

/** One block of results: the valid experiences and the quarantine entries of a chunk of lines. */
export interface SegmentBlock {
  experiences: Experience[];
  quarantine: QuarantineEntry[];
}

/**
 * Splits a segment's bytes into lines and parses them, block by block, in O(chunk + maxLineBytes) memory: an
 * over-long line is skipped up to its newline without being buffered.
 */
class LineScanner {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private skippedBytes = 0;
  private skippedHead: Buffer | undefined;
  /** Lines handled so far (1-based number of the last one). */
  lineNumber = 0;
  /** Hash of the segment's first bytes, once read. */
  fingerprint: string | undefined;
  /** Bytes pushed so far. */
  pushedBytes = 0;
  private block: SegmentBlock = { experiences: [], quarantine: [] };

  constructor(
    private readonly segment: SegmentFile,
    private readonly options: SegmentReadOptions,
  ) {
    this.lineNumber = options.startLine ?? 0;
    this.fingerprint = options.fingerprint;
  }

  /** Bytes pushed but not yet part of a complete line (an unterminated tail). */
  get pendingBytes(): number {
    return this.skipping ? this.skippedBytes : this.carryBytes;
  }

  takeBlock(): SegmentBlock {
    const block = this.block;
    this.block = { experiences: [], quarantine: [] };
    return block;
  }

  private quarantine(reason: QuarantineReason, detail: string, bytes: number, content: string | Buffer, keepRaw = false): void {
    const summary = this.options.summary;
    summary.quarantined += 1;
    summary.quarantinedByReason[reason] = (summary.quarantinedByReason[reason] ?? 0) + 1;
    this.block.quarantine.push(
      makeQuarantineEntry({
        segment: this.segment.name,
        segmentFingerprint: this.fingerprint,
        line: this.lineNumber,
        reason,
        detail,
        bytes,
        content,
        keepRaw,
      }),
    );
  }

  private handleText(line: string): void {
    this.lineNumber += 1;
    if (line.length === 0) return;
    const summary = this.options.summary;
    summary.lines += 1;
    const maxLineBytes = this.options.maxLineBytes;
    if (line.length > maxLineBytes || (line.length * 3 > maxLineBytes && Buffer.byteLength(line) > maxLineBytes)) {
      const bytes = Buffer.byteLength(line);
      this.quarantine('line-too-long', `${bytes} bytes, more than maxLineBytes (${maxLineBytes})`, bytes, line.slice(0, 512));
      return;
    }
    if (line.endsWith(TORN_TAIL_MARKER)) {
      const fragment = line.slice(0, line.length - TORN_TAIL_MARKER.length);
      const bytes = Buffer.byteLength(fragment);
      this.quarantine('torn-tail', `unterminated line (${bytes} bytes) a killed writer left, closed by the next writer`, bytes, fragment, true);
      return;
    }
    const result = parseExperienceLine(line);
    if (!result.valid) {
      this.quarantine(result.reason, result.detail, Buffer.byteLength(line), line);
      return;
    }
    summary.valid += 1;
    if (this.options.predicate !== undefined && !this.options.predicate(result.experience)) {
      summary.filteredOut += 1;
      return;
    }
    this.block.experiences.push(result.experience);
  }

  /** Handles complete lines (`block` ends with a newline). */
  private handleLines(block: Buffer): void {
    if (isUtf8(block)) {
      // One decode per block: 0x0A never occurs inside a multi-byte UTF-8 sequence, so lines split cleanly.
      const text = block.toString('utf8');
      let position = 0;
      while (position < text.length) {
        const end = text.indexOf('\n', position);
        this.handleText(text.slice(position, end));
        position = end + 1;
      }
      return;
    }
    let position = 0;
    while (position < block.length) {
      const end = block.indexOf(NEWLINE, position);
      const line = block.subarray(position, end);
      position = end + 1;
      if (isUtf8(line)) {
        this.handleText(line.toString('utf8'));
      } else if (line.length >= TORN_TAIL_MARKER_BYTES.length && line.subarray(line.length - TORN_TAIL_MARKER_BYTES.length).equals(TORN_TAIL_MARKER_BYTES)) {
        // A write cut inside a multi-byte character, then closed by the next writer.
        this.lineNumber += 1;
        this.options.summary.lines += 1;
        const fragment = line.subarray(0, line.length - TORN_TAIL_MARKER_BYTES.length);
        this.quarantine('torn-tail', `unterminated line (${fragment.length} bytes) a killed writer left, closed by the next writer`, fragment.length, fragment, true);
      } else {
        this.lineNumber += 1;
        this.options.summary.lines += 1;
        this.quarantine('invalid-utf8', 'the line is not valid UTF-8', line.length, line);
      }
    }
  }

  push(chunk: Buffer): void {
    this.fingerprint ??= segmentFingerprint(chunk);
    this.pushedBytes += chunk.length;
    let start = 0;
    if (this.skipping) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.skippedBytes += chunk.length;
        return;
      }
      this.skippedBytes += newline;
      this.finishSkippedLine();
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < start) {
      const rest = chunk.subarray(start);
      this.carry.push(rest);
      this.carryBytes += rest.length;
      if (this.carryBytes > this.options.maxLineBytes) {
        this.skipping = true;
        this.skippedBytes = this.carryBytes;
        this.skippedHead = Buffer.concat(this.carry).subarray(0, 1024);
        this.carry = [];
        this.carryBytes = 0;
      }
      return;
    }
    const complete = chunk.subarray(start, last + 1);
    const block = this.carryBytes === 0 ? complete : Buffer.concat([...this.carry, complete]);
    this.carry = [];
    this.carryBytes = 0;
    this.handleLines(block);
    if (last + 1 < chunk.length) {
      const rest = chunk.subarray(last + 1);
      this.carry.push(rest);
      this.carryBytes = rest.length;
    }
  }

  private finishSkippedLine(): void {
    this.lineNumber += 1;
    this.options.summary.lines += 1;
    const maxLineBytes = this.options.maxLineBytes;
    this.quarantine('line-too-long', `${this.skippedBytes} bytes, more than maxLineBytes (${maxLineBytes})`, this.skippedBytes, this.skippedHead ?? Buffer.alloc(0));
    this.skipping = false;
    this.skippedBytes = 0;
    this.skippedHead = undefined;
  }

  /** End of the segment: an unterminated last line is never parsed. */
  finish(): void {
    if (this.skipping) {
      if (this.segment.active) this.options.summary.incompleteTail += 1;
      else this.finishSkippedLine();
      return;
    }
    if (this.carryBytes === 0) return;
    const tail = Buffer.concat(this.carry);
    this.carry = [];
    this.carryBytes = 0;
    if (this.segment.active) {
      // A write in flight, or a torn tail the next writer will repair: not data yet.
      this.options.summary.incompleteTail += 1;
      return;
    }
    this.lineNumber += 1;
    this.options.summary.lines += 1;
    this.quarantine('torn-tail', 'unterminated last line of a rotated segment', tail.length, tail, true);
  }
}

async function openSegmentStream(segment: SegmentFile, options: SegmentReadOptions): Promise<NodeJS.ReadableStream> {
  if (options.handle !== undefined) {
    const range = options.endByte === undefined ? {} : { end: options.endByte - 1 };
    return options.handle.createReadStream({ start: options.startByte ?? 0, ...range, autoClose: false, highWaterMark: CHUNK_BYTES });
  }
  let handle: fs.FileHandle;
  let compressed = segment.compressed;
  try {
    handle = await fs.open(segment.path, 'r');
  } catch (error) {
    // A plain rotated segment may have been compressed (and removed) since it was listed.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || compressed) throw error;
    handle = await fs.open(`${segment.path}.gz`, 'r');
    compressed = true;
  }
  const raw = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  if (!compressed) return raw;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

/** Identity of a segment: FNV-1a of its first 256 (plain) bytes, as quarantine entries and summaries record it. */
export function segmentFingerprint(head: Buffer): string {
  return fnv1aHex(head.subarray(0, 256).toString('latin1'));
}

/**
 * Reads one segment, yielding a block of parsed experiences and quarantine entries per chunk. Throws
 * `SegmentReadError` (naming the segment and the lines read) when the file cannot be opened or read to its end.
 */
export async function* readSegment(segment: SegmentFile, options: SegmentReadOptions): AsyncGenerator<SegmentBlock> {
  if (options.endByte !== undefined && options.endByte <= (options.startByte ?? 0)) {
    options.summary.segments += 1;
    if (options.progress !== undefined) {
      options.progress.completeBytes = options.startByte ?? 0;
      options.progress.lines = options.startLine ?? 0;
    }
    return;
  }
  const scanner = new LineScanner(segment, options);
  options.summary.segments += 1;
  try {
    const stream = await openSegmentStream(segment, options);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      scanner.push(chunk);
      const block = scanner.takeBlock();
      if (block.experiences.length > 0 || block.quarantine.length > 0) yield block;
    }
  } catch (error) {
    // What was parsed before the failure is still good data.
    const block = scanner.takeBlock();
    if (block.experiences.length > 0 || block.quarantine.length > 0) yield block;
    throw new SegmentReadError({ segment: segment.name, line: scanner.lineNumber, fingerprint: scanner.fingerprint, cause: error });
  }
  const completeBytes = (options.startByte ?? 0) + scanner.pushedBytes - scanner.pendingBytes;
  scanner.finish();
  if (options.progress !== undefined) {
    // A rotated segment's unterminated tail is quarantined by `finish`: then every byte is accounted for.
    options.progress.completeBytes = segment.active ? completeBytes : (options.startByte ?? 0) + scanner.pushedBytes;
    options.progress.lines = scanner.lineNumber;
  }
  const block = scanner.takeBlock();
  if (block.experiences.length > 0 || block.quarantine.length > 0) yield block;
}
