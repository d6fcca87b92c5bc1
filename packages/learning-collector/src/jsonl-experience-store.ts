/*
 * Longer than 400 lines, for now: one class, `JsonlExperienceStore`, whose group commit, segment rotation, lock,
 * repair and reads share one active segment and one lock; its record path is being reworked for ingest speed
 * (#15/#17), and the file splits with that work.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ValidationError, experienceSchema, validate, type Experience, type ExperienceInput } from '@orchestra/learning-types';
import { ExperienceStoreError, ExperienceTooLargeError, LockLostError, SegmentReadError } from './errors';
import { isStoredExperience } from './compiled-validator';
import { compileExperienceFilter } from './experience-filter';
import { isMissing, isNotWritable } from './fs-errors';
import type { AppendOptions, AppendReceipt, DurableExperienceStore, ReadOptions, SerializedExperience, StoreStatsOptions } from './experience-store';
import { createExperienceStream, emptyReadSummary, type ExperienceStream } from './experience-stream';
import { InterProcessLock, isProcessAlive } from './file-lock';
import { makeQuarantineEntry, QuarantineWriter, TORN_TAIL_MARKER, type QuarantineEntry } from './quarantine';
import {
  ACTIVE_SEGMENT_NAME,
  LOCK_FILE_NAME,
  QUARANTINE_FILE_NAME,
  listSegments,
  nextSegmentSequence,
  snapshotSegments,
  rotatedSegmentName,
  type SegmentFile,
} from './segment-files';
import { readSegment } from './segment-reader';
import { resolveRewardConfig } from '@orchestra/learning-reward';
import { OutcomeEventLog } from './outcome-event-log';
import { joinChangesAnything, joinExperience, type JoinContext } from './outcome-join';
import { RewardVersionStore } from './reward-versions';
import { computeExperienceStats, ExperienceStatsAccumulator, type ExperienceStatsInput } from './experience-stats';
import { sealSegmentSummary, statsFromSummaries, type OpenSegmentSummary, type StoreStatsReport, type SummaryContext } from './store-stats';
import {
  EXPERIENCE_BUFFER_DIRECTORY,
  resolveDataDir,
  resolveStoreConfig,
  type JsonlExperienceStoreConfig,
  type JsonlExperienceStoreConfigInput,
} from './store-config';

const NEWLINE = 10;
const TAIL_SCAN_BYTES = 64 * 1024;
const TORN_TAIL_TERMINATOR = Buffer.from(`${TORN_TAIL_MARKER}\n`);

interface Waiter {
  count: number;
  bytes: number;
  /**
   * The records as written, when they are known valid (validated here or vouched for), or their statistics (records
   * serialised by the caller): the open summary adds them. Neither: the open summary is dropped.
   */
  experiences: readonly ExperienceStatsInput[] | ExperienceStatsAccumulator | undefined;
  resolve: (receipt: AppendReceipt) => void;
  reject: (error: unknown) => void;
}

interface PendingBatch {
  /** The lines, each encoded as UTF-8 (with its newline) when appended: concatenated once at commit. */
  lines: Buffer[];
  bytes: number;
  waiters: Waiter[];
}

/** What `repair` found and fixed. */
export interface RepairReport {
  /** Bytes of an unterminated last line, closed with the torn-tail marker (readers then quarantine it as `torn-tail`). */
  tornTailBytes: number;
}



function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The embedded experience buffer: JSON lines in `<dataDir>/experience_buffer/experiences.jsonl`, rotated into
 * numbered (gzip-compressed) segments, safe for several processes appending at once.
 *
 * Each commit takes the lock file, checks that the active segment is the file it has open (another process may
 * have rotated it), closes a torn tail left by a killed writer, rotates when the segment would pass
 * `segmentMaxBytes`, writes the whole batch with one `write` on an O_APPEND descriptor, syncs it per the
 * durability setting, then checks the fence — the lock file is still its own and the active segment still the file
 * it wrote — and only then releases the lock and acknowledges the appends. A writer that stalled past
 * `staleLockMs` (its lock broken, the segment maybe rotated and compressed meanwhile) fails with `LockLostError`
 * instead of acknowledging what may be lost. Nothing is ever truncated: appends by a writer that lost its lock can
 * only add bytes, never remove another writer's.
 */
export class JsonlExperienceStore implements DurableExperienceStore {
  readonly kind = 'jsonl';
  /** The buffer directory, `<dataDir>/experience_buffer`. */
  readonly directory: string;
  readonly activePath: string;
  readonly lockPath: string;
  readonly quarantinePath: string;
  readonly config: JsonlExperienceStoreConfig;

  private handle: fs.FileHandle | undefined;
  private handleInode: number | undefined;
  /** Statistics of the active segment as this writer wrote it (valid while it alone wrote it from its start). */
  private openSummary: OpenSegmentSummary | undefined;
  private pending: PendingBatch | undefined;
  private drainQueued = false;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private closed = false;
  private readonly compressions = new Set<Promise<void>>();
  private readonly quarantineWriter: QuarantineWriter;
  private readonly lock: InterProcessLock;

  private constructor(directory: string, config: JsonlExperienceStoreConfig) {
    this.directory = directory;
    this.config = config;
    this.activePath = path.join(directory, ACTIVE_SEGMENT_NAME);
    this.lockPath = path.join(directory, LOCK_FILE_NAME);
    this.quarantinePath = path.join(directory, QUARANTINE_FILE_NAME);
    this.quarantineWriter = new QuarantineWriter(this.quarantinePath);
    this.lock = new InterProcessLock(this.lockPath, { timeoutMs: config.lockTimeoutMs, staleMs: config.staleLockMs });
  }

  /**
   * Opens (creating if needed, data dir and buffer directory mode 0700, files 0600) the buffer and repairs a torn
   * tail. With `readOnly: true` it creates, locks and repairs nothing: reading then needs no write access.
   */
  static async open(config: JsonlExperienceStoreConfigInput = {}): Promise<JsonlExperienceStore> {
    const resolved = resolveStoreConfig(config);
    const dataDir = resolveDataDir(resolved.dataDir);
    const directory = path.join(dataDir, EXPERIENCE_BUFFER_DIRECTORY);
    const store = new JsonlExperienceStore(directory, resolved);
    if (resolved.readOnly) return store;
    try {
      await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
      await fs.mkdir(directory, { recursive: true, mode: 0o700 });
      await restrictDirectory(directory);
    } catch (error) {
      throw new ExperienceStoreError({ operation: 'open', path: directory, message: errorMessage(error), cause: error });
    }
    await store.repair();
    await removeLeftovers(directory);
    return store;
  }

  /**
   * Appends experiences. The promise resolves once they are written and synced as `durability` says, and rejects
   * (`ValidationError`, `ExperienceTooLargeError`, `ExperienceStoreError`, `LockTimeoutError`) if they are not.
   */
  append(experiences: Experience | readonly (Experience | ExperienceInput)[], options: AppendOptions = {}): Promise<AppendReceipt> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const check = this.config.validateOnAppend && options.validated !== true;
    const list: readonly (Experience | ExperienceInput)[] = Array.isArray(experiences) ? experiences : [experiences as Experience];
    // Each line is encoded as soon as it is serialised (its string dies young; a joined multi-megabyte string costs
    // several times more to flatten and encode at commit).
    const lines: Buffer[] = [];
    let bytes = 0;
    // Records validated here, or vouched for by the caller, may go into the open segment's summary as they are.
    const accepted: Experience[] | undefined = check || options.validated === true ? [] : undefined;
    try {
      for (const input of list) {
        // The compiled check accepts a record already in its stored form at a fraction of zod's cost; anything else
        // goes through zod (defaults, stripping, the error message).
        const experience = !check || isStoredExperience(input) ? (input as Experience) : validate(experienceSchema, input, 'Experience');
        const line = Buffer.from(`${JSON.stringify(experience)}\n`);
        const maxLineBytes = this.config.maxLineBytes;
        if (line.length - 1 > maxLineBytes) throw new ExperienceTooLargeError({ experienceId: experience.id, bytes: line.length - 1, maxLineBytes });
        lines.push(line);
        bytes += line.length;
        accepted?.push(experience);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(lines, bytes, accepted);
  }

  /**
   * Appends records serialised by the caller (`ExperienceStore.appendSerialized`): the same group commit, lock,
   * fence and durability as `append`, without serialising here. Rejects like `append`.
   */
  appendSerialized(records: readonly SerializedExperience[], stats?: ExperienceStatsAccumulator): Promise<AppendReceipt> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const lines: Buffer[] = [];
    let bytes = 0;
    const maxLineBytes = this.config.maxLineBytes;
    for (const record of records) {
      // One line per record whatever the caller sends: a line break or an empty line would split or lose records.
      if (record.line.length === 0 || record.line.includes('\n') || record.line.charCodeAt(0) !== 123) {
        return Promise.reject(new ValidationError({ what: 'SerializedExperience', issues: [{ path: 'line', message: 'must be one JSON object on one line (JSON.stringify of an experience)' }], value: record.id }));
      }
      const line = Buffer.from(`${record.line}\n`);
      if (line.length - 1 > maxLineBytes) return Promise.reject(new ExperienceTooLargeError({ experienceId: record.id, bytes: line.length - 1, maxLineBytes }));
      lines.push(line);
      bytes += line.length;
    }
    return this.enqueue(lines, bytes, stats);
  }

  /** Why the store takes no append now (closed, or opened read-only), or undefined. */
  private refusal(): ExperienceStoreError | undefined {
    if (this.closed) return new ExperienceStoreError({ operation: 'append', path: this.activePath, message: 'the store is closed' });
    if (this.config.readOnly) return new ExperienceStoreError({ operation: 'append', path: this.activePath, message: 'the store was opened read-only' });
    return undefined;
  }

  /** Queues encoded lines for the next group commit (or their own write and sync under `durability: 'always'`). */
  private enqueue(lines: Buffer[], bytes: number, accepted: Waiter['experiences']): Promise<AppendReceipt> {
    if (lines.length === 0) return Promise.resolve({ count: 0, bytes: 0 });
    return new Promise<AppendReceipt>((resolve, reject) => {
      const waiter: Waiter = { count: lines.length, bytes, experiences: accepted, resolve, reject };
      if (this.config.durability === 'always') {
        // No coalescing: this call gets its own write and its own sync.
        this.writing = this.writing.then(() => this.commit({ lines, bytes, waiters: [waiter] }));
        return;
      }
      const pending = (this.pending ??= { lines: [], bytes: 0, waiters: [] });
      for (const line of lines) pending.lines.push(line);
      pending.bytes += bytes;
      pending.waiters.push(waiter);
      if (pending.bytes >= this.config.batchMaxBytes) this.scheduleDrain();
      else this.scheduleTimer();
    });
  }

  private scheduleTimer(): void {
    if (this.timer !== undefined || this.drainQueued) return;
    const fire = () => {
      this.timer = undefined;
      this.scheduleDrain();
    };
    this.timer = this.config.batchIntervalMs === 0 ? setImmediate(fire) : setTimeout(fire, this.config.batchIntervalMs);
  }

  /** Queues one drain behind the write in flight; it takes whatever is pending when its turn comes (group commit). */
  private scheduleDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    this.writing = this.writing.then(async () => {
      this.drainQueued = false;
      if (this.timer !== undefined) {
        clearTimeout(this.timer as NodeJS.Timeout);
        clearImmediate(this.timer as NodeJS.Immediate);
        this.timer = undefined;
      }
      const batch = this.pending;
      this.pending = undefined;
      if (batch !== undefined) await this.commit(batch);
    });
  }

  private async commit(batch: PendingBatch): Promise<void> {
    let rotated: { path: string; sealed: OpenSegmentSummary | undefined } | undefined;
    try {
      const buffer = batch.lines.length === 1 ? batch.lines[0]! : Buffer.concat(batch.lines, batch.bytes);
      rotated = await this.withLock(async () => {
        let size = await this.ensureHandle();
        size = await this.repairTailLocked(size);
        let rotation: { path: string; sealed: OpenSegmentSummary | undefined } | undefined;
        if (size > 0 && size + buffer.length > this.config.segmentMaxBytes) {
          // The summary kept in memory seals the segment when it covers all of it (no other writer appended).
          const sealed = this.coversActive(size) ? this.openSummary : undefined;
          rotation = { path: await this.rotateLocked(), sealed };
          size = (await (this.handle as fs.FileHandle).stat()).size;
        }
        // The in-memory summary follows the active segment only while this writer alone wrote it, from its start.
        if (size === 0) this.openSummary = { inode: this.handleInode!, bytes: 0, lines: 0, accumulator: new ExperienceStatsAccumulator() };
        else if (!this.coversActive(size)) this.openSummary = undefined;
        await this.writeAll(buffer);
        if (this.config.durability !== 'none') await (this.handle as fs.FileHandle).datasync();
        // The fence: written into the file that is still the active segment, under a lock never broken meanwhile.
        await this.checkFence('append');
        this.extendOpenSummary(batch, buffer.length);
        return rotation;
      });
    } catch (error) {
      this.openSummary = undefined;
      const code = (error as { code?: string } | undefined)?.code;
      const wrapped = ExperienceStoreError.isInstance(error) || code === 'ORCHESTRA_LOCK_TIMEOUT' || code === 'ORCHESTRA_LOCK_LOST'
        ? error
        : new ExperienceStoreError({ operation: 'append', path: this.activePath, message: errorMessage(error), cause: error });
      for (const waiter of batch.waiters) waiter.reject(wrapped);
      return;
    }
    for (const waiter of batch.waiters) waiter.resolve({ count: waiter.count, bytes: waiter.bytes });
    if (rotated !== undefined) this.startSealing(rotated.path, rotated.sealed);
  }

  /** Whether the in-memory summary covers exactly the active segment's first `size` bytes. */
  private coversActive(size: number): boolean {
    return this.openSummary !== undefined && this.openSummary.inode === this.handleInode && this.openSummary.bytes === size;
  }

  /** Adds a committed batch to the in-memory summary (dropped when a record of it was not known valid). */
  private extendOpenSummary(batch: PendingBatch, bytes: number): void {
    const summary = this.openSummary;
    if (summary === undefined) return;
    if (batch.waiters.some((waiter) => waiter.experiences === undefined)) {
      this.openSummary = undefined;
      return;
    }
    for (const waiter of batch.waiters) {
      const known = waiter.experiences!;
      if (known instanceof ExperienceStatsAccumulator) summary.accumulator.merge(known);
      else for (const experience of known) summary.accumulator.add(experience);
    }
    summary.bytes += bytes;
    for (const waiter of batch.waiters) summary.lines += waiter.count;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    const handle = this.handle as fs.FileHandle;
    let offset = 0;
    // Regular-file writes are complete unless the disk is full or a signal interrupts: loop for the rare short write.
    while (offset < buffer.length) {
      const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset, null);
      offset += bytesWritten;
    }
  }

  /**
   * Throws `LockLostError` unless the lock file is still ours and the active segment is still the file we hold
   * open. The lock check alone proves no other writer ran since we took it; the inode check guards our own state.
   */
  private async checkFence(operation: string): Promise<void> {
    // Both checked at once (one round trip to the thread pool instead of two); either failing fails the fence.
    const [holds, stat] = await Promise.all([
      this.lock.holds(),
      fs.stat(this.activePath).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      }),
    ]);
    const owned = holds && stat !== undefined && stat.ino === this.handleInode;
    if (!owned) throw new LockLostError({ lockPath: this.lockPath, operation });
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.lock.acquire();
    try {
      return await work();
    } finally {
      await release();
    }
  }

  /** Makes sure `handle` is the current active segment (another process may have rotated it); returns its size. */
  private async ensureHandle(): Promise<number> {
    let inode: number | undefined;
    let size = 0;
    let links = 1;
    try {
      const stat = await fs.stat(this.activePath);
      inode = stat.ino;
      size = stat.size;
      links = stat.nlink;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    // Same inode as our descriptor: the path's size is our file's size (one syscall per commit).
    if (this.handle !== undefined && inode === this.handleInode && links === 1) return size;
    if (this.handle !== undefined) await this.handle.close();
    this.handle = undefined;
    let handle = await fs.open(this.activePath, 'a+', 0o600);
    let stat = await handle.stat();
    if (stat.nlink > 1) {
      // A rotation (link to the numbered name, then unlink) was cut between its two steps: finish it.
      await handle.close();
      await fs.rm(this.activePath, { force: true });
      handle = await fs.open(this.activePath, 'a+', 0o600);
      stat = await handle.stat();
      inode = undefined;
    }
    if ((stat.mode & 0o777) !== 0o600) await handle.chmod(0o600);
    this.handle = handle;
    this.handleInode = stat.ino;
    if (inode === undefined && this.config.durability !== 'none') await syncDirectory(this.directory);
    return stat.size;
  }

  /**
   * Closes an unterminated last line (a writer killed mid-write) with the torn-tail marker and a newline, so the
   * next batch starts on a line of its own and every reader quarantines the fragment (`torn-tail`, with its bytes).
   * It appends and never truncates: a writer whose lock was broken can add a stray marker line, never cut someone
   * else's acknowledged lines. Returns the new size.
   */
  private async repairTailLocked(size: number): Promise<number> {
    // Nothing to read when this writer alone wrote the segment's `size` bytes: its batches end with a newline.
    if (size === 0 || this.coversActive(size)) return size;
    const handle = this.handle as fs.FileHandle;
    const probe = Buffer.alloc(1);
    await handle.read(probe, 0, 1, size - 1);
    if (probe[0] === NEWLINE) return size;
    await this.checkFence('repair');
    await this.writeAll(TORN_TAIL_TERMINATOR);
    await handle.datasync();
    return size + TORN_TAIL_TERMINATOR.length;
  }

  /** Length of the unterminated last line of the active segment of `size` bytes (0 when it ends with a newline). */
  private async tailLength(size: number): Promise<number> {
    const handle = this.handle as fs.FileHandle;
    const block = Buffer.alloc(TAIL_SCAN_BYTES);
    for (let end = size; end > 0; end -= TAIL_SCAN_BYTES) {
      const start = Math.max(0, end - TAIL_SCAN_BYTES);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const newline = block.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (newline >= 0) return size - (start + newline + 1);
    }
    return size;
  }

  /**
   * Moves the active segment to the next numbered name: `link` (which, unlike `rename`, never replaces an existing
   * segment) then `unlink`. A crash between the two leaves the file under both names; `ensureHandle` finishes it.
   */
  private async rotateLocked(): Promise<string> {
    for (;;) {
      const sequence = await nextSegmentSequence(this.directory);
      const target = path.join(this.directory, rotatedSegmentName(sequence, false));
      // Fenced right before each step that changes names: a writer whose lock was broken stops here.
      await this.checkFence('rotate');
      try {
        await fs.link(this.activePath, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      await this.checkFence('rotate');
      await fs.unlink(this.activePath);
      if (this.config.durability !== 'none') await syncDirectory(this.directory);
      await this.ensureHandle();
      return target;
    }
  }

  /**
   * In the background, after a rotation: writes the sealed segment's summary (statistics then never read it again),
   * then compresses it (when configured). `close()` waits for both.
   */
  private startSealing(plainPath: string, sealed: OpenSegmentSummary | undefined): void {
    const sequence = Number(/experiences\.(\d+)\.jsonl$/.exec(plainPath)?.[1]);
    const job = (async () => {
      try {
        await sealSegmentSummary(this.summaryContext(), plainPath, sequence, sealed);
      } catch {
        // No summary: the next `stats()` re-indexes the segment (and says so).
      }
      if (!this.config.compressRotatedSegments) return;
      await compressSegment(plainPath).catch(() => {
        // Left uncompressed: still read transparently, and `compact()` retries it.
      });
    })();
    this.compressions.add(job);
    void job.finally(() => this.compressions.delete(job));
  }

  private summaryContext(saveSummaries = !this.config.readOnly): SummaryContext {
    return { directory: this.directory, maxLineBytes: this.config.maxLineBytes, readOnly: !saveSummaries, recordQuarantine: (entries) => this.recordQuarantine(entries) };
  }

  /** Records quarantine entries; a read-only data dir only counts them (in the read's summary). */
  private async recordQuarantine(entries: readonly QuarantineEntry[]): Promise<void> {
    if (this.config.readOnly) return;
    try {
      await this.quarantineWriter.append(entries);
    } catch (error) {
      if (!isNotWritable(error)) throw error;
    }
  }

  /**
   * Statistics of the whole buffer. Without a filter, from the kept per-segment summaries plus the open segment's
   * new lines (`method: 'summaries'`): cost independent of the history's length; a rotated segment whose summary is
   * missing, damaged or stale is read once, its summary saved, and listed in `reindexed`. With a filter
   * (`--since`, `--mode`, …), a full read (`method: 'scan'`). Either way exactly what
   * `computeExperienceStats(store.read({ filter }))` returns. `saveSummaries` (default: not read-only) saves
   * re-built summaries — a cache, not data: a read-only store may pass `true`, and a data dir that cannot be
   * written then only loses the cache.
   */
  async stats(options: StoreStatsOptions = {}): Promise<StoreStatsReport> {
    // Outcome events or a reward version change records after they were summarised: the joined records are scanned.
    if (options.filter !== undefined || joinChangesAnything(await this.joinContext(false))) {
      const stream = this.read(options.filter === undefined ? {} : { filter: options.filter });
      const stats = await computeExperienceStats(stream);
      return { stats, method: 'scan', reindexed: [], saved: true, segments: stream.summary.segments, scannedBytes: 0 };
    }
    return statsFromSummaries(this.summaryContext(options.saveSummaries));
  }

  /** The buffer directory (`DurableExperienceStore.location`). */
  get location(): string {
    return this.directory;
  }

  /**
   * Records entries in the quarantine file (deduplicated by key); returns how many were new. A read-only store
   * records nothing (0).
   */
  async quarantine(entries: readonly QuarantineEntry[]): Promise<number> {
    if (this.config.readOnly) return 0;
    try {
      return await this.quarantineWriter.append(entries);
    } catch (error) {
      if (isNotWritable(error)) return 0;
      throw new ExperienceStoreError({ operation: 'quarantine', path: this.quarantinePath, message: errorMessage(error), cause: error });
    }
  }

  /** Every entry of the quarantine file. */
  readQuarantine(): Promise<QuarantineEntry[]> {
    return QuarantineWriter.readAll(this.quarantinePath);
  }

  /** The outcome event log of this buffer (`outcome_events.jsonl`). */
  outcomeEvents(): OutcomeEventLog {
    return new OutcomeEventLog(this.directory, { lockTimeoutMs: this.config.lockTimeoutMs, staleLockMs: this.config.staleLockMs, readOnly: this.config.readOnly });
  }

  /** The reward versions of this buffer (`reward_versions.json`). */
  rewardVersions(): RewardVersionStore {
    return new RewardVersionStore(this.directory);
  }

  /** What a joined read applies now: the outcome events, the reward version in force, the amendments' reward configuration. */
  async joinContext(quarantine = true): Promise<JoinContext> {
    const events = await this.outcomeEvents().read({ quarantine });
    return { events, version: await this.rewardVersions().current(), reward: resolveRewardConfig(this.config.rewardConfig) };
  }

  /** Compresses rotated segments left uncompressed (a crash mid-compression, or compression turned off before). */
  async compact(): Promise<string[]> {
    const compressed: string[] = [];
    for (const segment of await listSegments(this.directory)) {
      if (segment.active || segment.compressed) continue;
      await compressSegment(segment.path);
      compressed.push(`${segment.name}.gz`);
    }
    return compressed;
  }

  /** Takes the lock and closes a torn tail of the active segment (done by `open` and before every write). */
  async repair(): Promise<RepairReport> {
    if (this.config.readOnly) return { tornTailBytes: 0 };
    return this.withLock(async () => {
      const size = await this.ensureHandle();
      const tornTailBytes = await this.tailLength(size);
      await this.repairTailLocked(size);
      return { tornTailBytes };
    });
  }

  /**
   * Streams every experience: rotated segments in order, then the active one up to its size when the read started
   * (a snapshot: appends made during the read are not seen). Each line is validated by `parseExperience`; invalid
   * ones are counted in `summary` and recorded in the quarantine file, and never stop the read. A segment that
   * cannot be read to its end (corrupt gzip, I/O error) is quarantined as `corrupt-segment` with its name and the
   * error; what it yielded before stays, and the other segments are read.
   */
  read(options: ReadOptions = {}): ExperienceStream {
    const predicate = compileExperienceFilter(options.filter);
    const summary = emptyReadSummary();
    const writeQuarantine = options.quarantine ?? true;
    const { directory } = this;
    const maxLineBytes = this.config.maxLineBytes;
    // A reader must work on a read-only data dir: the quarantine is then only counted in the summary.
    const recordQuarantine = (entries: readonly QuarantineEntry[]): Promise<void> => this.recordQuarantine(entries);
    const joinContext = (options.view ?? 'joined') === 'joined' ? () => this.joinContext(writeQuarantine) : undefined;
    return createExperienceStream(summary, async function* () {
      const context = joinContext === undefined ? undefined : await joinContext();
      const join = context !== undefined && joinChangesAnything(context) ? context : undefined;
      summary.rewardVersion = join?.version?.version.id ?? null;
      const snapshot = await snapshotSegments(directory);
      const activeHandle = snapshot.activeHandle;
      try {
        const segments = snapshot.segments;
        for (const segment of segments) {
          const isActive = segment.active;
          if (isActive && activeHandle === undefined) continue;
          const source: SegmentFile = isActive ? { ...segment } : segment;
          const blocks = readSegment(source, {
            maxLineBytes,
            predicate,
            summary,
            ...(isActive ? { handle: activeHandle, endByte: snapshot.activeSize } : {}),
          });
          try {
            for await (const block of blocks) {
              if (writeQuarantine && block.quarantine.length > 0) await recordQuarantine(block.quarantine);
              if (block.experiences.length === 0) continue;
              if (join === undefined) {
                yield block.experiences;
                continue;
              }
              const joined = block.experiences.map((experience) => joinExperience(experience, join));
              for (let index = 0; index < joined.length; index += 1) if (joined[index] !== block.experiences[index]) summary.joined += 1;
              yield joined;
            }
          } catch (error) {
            if (!SegmentReadError.isInstance(error)) throw error;
            summary.quarantined += 1;
            summary.quarantinedByReason['corrupt-segment'] = (summary.quarantinedByReason['corrupt-segment'] ?? 0) + 1;
            const entry = makeQuarantineEntry({
              segment: segment.name,
              line: error.line,
              reason: 'corrupt-segment',
              detail: `segment ${segment.name} unreadable after line ${error.line}: ${errorMessage(error.cause)}`,
              bytes: 0,
              content: '',
              // A segment unreadable from its first byte has no fingerprint: its (final, compressed) name is its identity.
              segmentFingerprint: error.fingerprint ?? `name:${segment.name}`,
            });
            if (writeQuarantine) await recordQuarantine([entry]);
          }
        }
      } finally {
        await activeHandle?.close();
      }
    });
  }

  /** Writes out pending appends and waits for them. */
  async flush(): Promise<void> {
    if (this.pending !== undefined) this.scheduleDrain();
    await this.writing;
  }

  /** Flushes, waits for background compression and closes the active segment. Later appends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.config.readOnly) {
      this.closed = true;
      return;
    }
    await this.flush();
    this.closed = true;
    await Promise.all([...this.compressions]);
    await this.handle?.close();
    this.handle = undefined;
    await this.lock.close();
  }
}

/** Makes a directory of the buffer 0700 when it is not (created by an older version, or under a loose umask). */
async function restrictDirectory(directory: string): Promise<void> {
  const stat = await fs.stat(directory);
  if ((stat.mode & 0o777) !== 0o700) await fs.chmod(directory, 0o700);
}

const leftoverPattern = /^experiences\.(?:lock|\d{6,}\.jsonl\.gz|\d{6,}\.summary\.json|open\.summary\.json)\.(\d+)(?:\.[0-9a-f]+)?\.tmp$/;

/** Removes temporary files (lock candidates, half-written `.gz`) of processes that died before cleaning up. */
async function removeLeftovers(directory: string): Promise<void> {
  for (const name of await fs.readdir(directory)) {
    const match = leftoverPattern.exec(name);
    if (match === null || isProcessAlive(Number(match[1]))) continue;
    await fs.rm(path.join(directory, name), { force: true });
  }
}

/**
 * gzip-compresses a rotated segment (level 1: JSON lines still shrink about 5×, at a fraction of the CPU of the
 * default level): `.gz.<pid>.tmp`, fsync, rename to `.gz`, then remove the original.
 */
export async function compressSegment(plainPath: string): Promise<void> {
  const compressedPath = `${plainPath}.gz`;
  const temporaryPath = `${compressedPath}.${process.pid}.tmp`;
  await pipeline(createReadStream(plainPath), createGzip({ level: 1 }), createWriteStream(temporaryPath, { mode: 0o600 }));
  const handle = await fs.open(temporaryPath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporaryPath, compressedPath);
  await syncDirectory(path.dirname(plainPath));
  await fs.rm(plainPath, { force: true });
}
