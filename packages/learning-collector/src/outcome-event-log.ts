import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { outcomeEventSchema, safeValidate, type OutcomeEvent, type OutcomeEventInput, validate } from '@orchestra/learning-types';
import { ExperienceStoreError, LockLostError } from './errors';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS, InterProcessLock } from './file-lock';
import { isMissing } from './fs-errors';
import { makeQuarantineEntry, QuarantineWriter, TORN_TAIL_MARKER, type QuarantineEntry } from './quarantine';
import { QUARANTINE_FILE_NAME } from './segment-files';

/** File of the outcome events, in the buffer directory beside the experience segments. */
export const OUTCOME_EVENTS_FILE_NAME = 'outcome_events.jsonl';
const LOCK_FILE_NAME = 'outcome_events.lock';
const NEWLINE = 10;
const MAX_EVENT_LINE_BYTES = 16 * 1024;

/** What `OutcomeEventLog.append` did. */
export interface OutcomeEventAppendReport {
  /** Events written now. */
  appended: OutcomeEvent[];
  /** Ids of events already in the log (or repeated in the call): not written again. */
  duplicates: string[];
}

/** The outcome events of a log, by session id, each list in application order (timestamp, then id). */
export interface OutcomeEventIndex {
  bySession: ReadonlyMap<string, readonly OutcomeEvent[]>;
  /** Valid events read. */
  events: number;
  /** Lines quarantined (invalid JSON or schema, torn tails). */
  quarantined: number;
}

/** An index without events. */
export const emptyOutcomeEventIndex: OutcomeEventIndex = { bySession: new Map(), events: 0, quarantined: 0 };

/**
 * The append-only log of outcomes that arrived after their session was stored (`<dataDir>/experience_buffer/
 * outcome_events.jsonl`). Appends take their own lock file, close a torn tail left by a killed writer (never
 * truncate), write the new lines with one `write`, sync, and check the fence (the lock is still theirs) before
 * acknowledging; an event id already in the log is skipped, so retrying an amendment is harmless. Readers need no
 * lock and no write access; invalid lines are quarantined (`<buffer>/quarantine.jsonl`) and never stop a read.
 */
export class OutcomeEventLog {
  readonly path: string;
  readonly lockPath: string;

  /** @param directory the buffer directory (`<dataDir>/experience_buffer`) */
  constructor(
    readonly directory: string,
    private readonly options: { lockTimeoutMs?: number; staleLockMs?: number; readOnly?: boolean } = {},
  ) {
    this.path = path.join(directory, OUTCOME_EVENTS_FILE_NAME);
    this.lockPath = path.join(directory, LOCK_FILE_NAME);
  }

  /**
   * Appends events not yet in the log (by id), durably. Every event is validated first (`ValidationError` naming
   * the field: nothing is written then).
   */
  async append(inputs: readonly OutcomeEventInput[]): Promise<OutcomeEventAppendReport> {
    if (this.options.readOnly === true) throw new ExperienceStoreError({ operation: 'append', path: this.path, message: 'the store was opened read-only' });
    const events = inputs.map((input) => validate(outcomeEventSchema, input, 'OutcomeEvent'));
    await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    const lock = new InterProcessLock(this.lockPath, { timeoutMs: this.options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, staleMs: this.options.staleLockMs ?? DEFAULT_STALE_LOCK_MS });
    const release = await lock.acquire();
    try {
      const known = new Set<string>();
      for (const line of (await this.#readLines()).lines) {
        const parsed = parseEventLine(line.text);
        if (parsed.event !== undefined) known.add(parsed.event.id);
      }
      const appended: OutcomeEvent[] = [];
      const duplicates: string[] = [];
      for (const event of events) {
        if (known.has(event.id)) duplicates.push(event.id);
        else {
          known.add(event.id);
          appended.push(event);
        }
      }
      if (appended.length === 0) return { appended, duplicates };
      const handle = await fs.open(this.path, 'a+', 0o600);
      try {
        const size = (await handle.stat()).size;
        let text = appended.map((event) => `${JSON.stringify(event)}\n`).join('');
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          // A writer killed mid-line left a fragment: close it (readers quarantine it), never truncate it.
          if (last[0] !== NEWLINE) text = `${TORN_TAIL_MARKER}\n${text}`;
        }
        await handle.write(text, null, 'utf8');
        await handle.datasync();
      } finally {
        await handle.close();
      }
      if (!(await lock.holds())) throw new LockLostError({ lockPath: this.lockPath, operation: 'append outcome events' });
      return { appended, duplicates };
    } finally {
      await release();
      await lock.close();
    }
  }

  /**
   * Reads every valid event, grouped by session and ordered. Invalid lines are counted and, unless `quarantine` is
   * false or the directory is read-only, recorded in the quarantine file.
   */
  async read(options: { quarantine?: boolean } = {}): Promise<OutcomeEventIndex> {
    // An unterminated last line is a write in flight (or a torn tail the next writer closes, to be quarantined then).
    const { lines } = await this.#readLines();
    if (lines.length === 0) return emptyOutcomeEventIndex;
    const bySession = new Map<string, OutcomeEvent[]>();
    const seen = new Set<string>();
    const quarantine: QuarantineEntry[] = [];
    let events = 0;
    for (const line of lines) {
      const parsed = parseEventLine(line.text);
      if (parsed.event === undefined) {
        quarantine.push(
          makeQuarantineEntry({ segment: OUTCOME_EVENTS_FILE_NAME, line: line.number, reason: parsed.reason, detail: parsed.detail, bytes: Buffer.byteLength(line.text), content: line.text }),
        );
        continue;
      }
      if (seen.has(parsed.event.id)) continue;
      seen.add(parsed.event.id);
      events += 1;
      const list = bySession.get(parsed.event.sessionId) ?? [];
      list.push(parsed.event);
      bySession.set(parsed.event.sessionId, list);
    }
    for (const list of bySession.values()) list.sort(compareEvents);
    if (quarantine.length > 0 && options.quarantine !== false && this.options.readOnly !== true) {
      await new QuarantineWriter(path.join(this.directory, QUARANTINE_FILE_NAME)).append(quarantine).catch(() => {
        // Counted either way; a data dir that cannot be written only loses the record.
      });
    }
    return { bySession, events, quarantined: quarantine.length };
  }

  /** The lines of the file (1-based numbers); an unterminated last line is returned apart (a write in flight or a torn tail). */
  async #readLines(): Promise<{ lines: { number: number; text: string }[]; tornTail: { number: number; text: string } | undefined }> {
    let buffer: Buffer;
    try {
      buffer = await fs.readFile(this.path);
    } catch (error) {
      if (isMissing(error)) return { lines: [], tornTail: undefined };
      throw new ExperienceStoreError({ operation: 'read', path: this.path, message: error instanceof Error ? error.message : String(error), cause: error });
    }
    const text = buffer.toString('utf8');
    const parts = text.split('\n');
    const last = parts.pop() ?? '';
    const lines: { number: number; text: string }[] = [];
    parts.forEach((part, index) => {
      if (part.trim() !== '') lines.push({ number: index + 1, text: part });
    });
    return { lines, tornTail: last === '' ? undefined : { number: parts.length + 1, text: last } };
  }
}

function compareEvents(left: OutcomeEvent, right: OutcomeEvent): number {
  const byTime = Date.parse(left.timestamp) - Date.parse(right.timestamp);
  if (byTime !== 0) return byTime;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

type LineParse = { event: OutcomeEvent; reason?: undefined; detail?: undefined } | { event?: undefined; reason: 'invalid-json' | 'schema' | 'line-too-long' | 'torn-tail'; detail: string };

function parseEventLine(text: string): LineParse {
  if (text.startsWith(TORN_TAIL_MARKER) || text.includes('\u0000')) return { reason: 'torn-tail', detail: 'fragment closed by a later writer' };
  if (text.length > MAX_EVENT_LINE_BYTES) return { reason: 'line-too-long', detail: `longer than ${MAX_EVENT_LINE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { reason: 'invalid-json', detail: error instanceof Error ? error.message : String(error) };
  }
  const result = safeValidate(outcomeEventSchema, json, 'OutcomeEvent');
  if (!result.success) return { reason: 'schema', detail: result.error.message.split('\n')[0] ?? 'invalid outcome event' };
  return { event: result.value };
}
