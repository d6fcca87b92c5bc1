import { promises as fs } from 'node:fs';

/** Why a line was quarantined. */
export type QuarantineReason =
  | 'invalid-json'
  | 'invalid-utf8'
  | 'line-too-long'
  | 'not-an-object'
  | 'forbidden-key'
  | 'too-deep'
  | 'schema'
  | 'schema-version'
  | 'torn-tail'
  | 'corrupt-segment'
  /** An ingested trace (OpenTelemetry) that does not make a session: no root span, no step, an unreadable attribute… */
  | 'malformed-trace';

/** One record of the quarantine file. */
export interface QuarantineEntry {
  quarantinedAt: string;
  /**
   * File name of the segment the line was in, e.g. `experiences.000003.jsonl.gz` (or the table of a database
   * store's row, or the ingested file of a trace).
   */
  segment: string;
  /** 1-based line number within the segment (a database row's sequence number; an ingested file's line). */
  line: number;
  reason: QuarantineReason;
  /** Human-readable detail: the parser message, the offending field, the forbidden key… */
  detail: string;
  /** Length of the line in bytes. */
  bytes: number;
  /** Start of the line (at most 512 characters), for a human to look at. */
  excerpt: string;
  /** Torn tails only: the removed bytes, base64 (at most 1 MiB), so nothing acknowledged is ever silently lost. */
  rawBase64?: string;
  /**
   * Dedupe key (segment fingerprint, line, size, hash of the excerpt): the same bad line seen by several reads is
   * recorded once, even after its segment was rotated and compressed (which changes its name, not its content).
   */
  key: string;
}

/**
 * Appended (then a newline) by a writer to close an unterminated last line a killed writer left: a NUL never occurs
 * in a JSON line, so readers recognise the fragment and quarantine it as `torn-tail` with its bytes.
 */
export const TORN_TAIL_MARKER = '\u0000orchestra:torn-tail';

const EXCERPT_CHARACTERS = 512;
const RAW_LIMIT_BYTES = 1024 * 1024;

/** FNV-1a 32-bit hash of a string, as 8 hex digits. */
export function fnv1aHex(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Builds a quarantine entry; `content` is the line (or its start) as text or bytes. */
export function makeQuarantineEntry(input: {
  segment: string;
  line: number;
  reason: QuarantineReason;
  detail: string;
  bytes: number;
  content: string | Buffer;
  keepRaw?: boolean;
  /** Identity of the segment that survives rotation and compression (a hash of its first bytes). */
  segmentFingerprint?: string;
}): QuarantineEntry {
  const excerpt =
    typeof input.content === 'string'
      ? input.content.slice(0, EXCERPT_CHARACTERS)
      : input.content.subarray(0, EXCERPT_CHARACTERS * 2).toString('utf8').slice(0, EXCERPT_CHARACTERS);
  const entry: QuarantineEntry = {
    quarantinedAt: new Date().toISOString(),
    segment: input.segment,
    line: input.line,
    reason: input.reason,
    detail: input.detail.slice(0, 1000),
    bytes: input.bytes,
    excerpt,
    key: `${input.segmentFingerprint ?? ''}:${input.line}:${input.bytes}:${fnv1aHex(excerpt)}`,
  };
  if (input.keepRaw === true) {
    const raw = typeof input.content === 'string' ? Buffer.from(input.content) : input.content;
    entry.rawBase64 = raw.subarray(0, RAW_LIMIT_BYTES).toString('base64');
  }
  return entry;
}

/**
 * Appends entries to the quarantine file (mode 0600), each batch in one `write` on an O_APPEND descriptor, so
 * concurrent readers and writers of several processes never interleave inside a record. Entries whose `key` is
 * already in the file are skipped.
 */
export class QuarantineWriter {
  private knownKeys: Set<string> | undefined;

  constructor(readonly path: string) {}

  private async loadKeys(): Promise<Set<string>> {
    if (this.knownKeys !== undefined) return this.knownKeys;
    const keys = new Set<string>();
    let text = '';
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const record: unknown = JSON.parse(line);
        if (typeof record === 'object' && record !== null && typeof (record as { key?: unknown }).key === 'string') {
          keys.add((record as { key: string }).key);
        }
      } catch {
        // A damaged quarantine line is itself ignored: the quarantine is diagnostic, not data.
      }
    }
    this.knownKeys = keys;
    return keys;
  }

  /** Records entries not recorded before; returns how many were new. */
  async append(entries: readonly QuarantineEntry[], options: { dedupe?: boolean } = {}): Promise<number> {
    if (entries.length === 0) return 0;
    const keys = options.dedupe === false ? undefined : await this.loadKeys();
    let text = '';
    let added = 0;
    for (const entry of entries) {
      if (keys !== undefined) {
        if (keys.has(entry.key)) continue;
        keys.add(entry.key);
      }
      text += `${JSON.stringify(entry)}\n`;
      added += 1;
    }
    if (added === 0) return 0;
    const handle = await fs.open(this.path, 'a', 0o600);
    try {
      await handle.write(text);
    } finally {
      await handle.close();
    }
    return added;
  }

  /** Reads every entry of a quarantine file (for reports and tests). */
  static async readAll(quarantinePath: string): Promise<QuarantineEntry[]> {
    let text: string;
    try {
      text = await fs.readFile(quarantinePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: QuarantineEntry[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as QuarantineEntry);
      } catch {
        // ignored, see loadKeys
      }
    }
    return entries;
  }
}
