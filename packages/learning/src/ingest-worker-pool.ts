import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtWorkerFile } from './context-inference-worker';
import type { BuiltBatch, IngestBuildSettings, RecordFailure, SessionRecordText } from './ingest-build';

/** A batch of records sent to an ingest worker: validate them, or build them. */
export interface IngestWorkerRequest {
  id: number;
  kind: 'validate' | 'build';
  settings: IngestBuildSettings;
  records: SessionRecordText[];
}

/** A worker's answer: the first invalid record (or null), or the built sessions. */
export type IngestWorkerReply = { id: number; failure: RecordFailure | null } | { id: number; built: BuiltBatch };

/** The worker stopped (crashed, exited, or could not start): its batches were not done; the caller does them itself. */
export class IngestWorkerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestWorkerUnavailableError';
  }
}

/** The built ingest worker (`dist/ingest-build-worker.js`), or null (sources, CJS, missing file). */
export function defaultIngestWorkerFile(): URL | null {
  return builtWorkerFile('ingest-build-worker.js');
}

/**
 * Young generation of a worker, MB (V8's default is 16–32): a worker allocates a record's parse, experience and line
 * and drops them at once, so a larger nursery scavenges less often and promotes less. Measured on a 100,000-record
 * JSON array (five paired runs of `orchestra learning-record`): 0.95 × the wall time and 100 MB less peak RSS than
 * the default.
 */
const WORKER_YOUNG_GENERATION_MB = 64;

interface Pending {
  resolve(reply: IngestWorkerReply): void;
  reject(error: Error): void;
}

/**
 * Worker threads that validate and build the records of a session file for `ingestFile` (`IngestRecordBuilder`), so
 * that the recording thread only splits the file, stores lines and updates its statistics. Batches go to the
 * workers in turn; each answer comes back to the batch's own promise. A worker that stops fails its batches with
 * `IngestWorkerUnavailableError` and the pool takes no more (the caller then builds on its own thread). The workers
 * keep the process alive only while an answer is awaited.
 */
export class IngestWorkerPool {
  readonly #file: URL | string;
  readonly #size: number;
  readonly #workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  #next = 0;
  #nextId = 0;
  #failed: string | null = null;

  private constructor(file: URL | string, size: number) {
    this.#file = file;
    this.#size = size;
  }

  /**
   * A pool of `size` workers (default: one per processor, at most 4), or null when there is no worker module (the
   * sources run without a build, or `file: null`).
   */
  static create(options: { file?: URL | string | null; size?: number } = {}): IngestWorkerPool | null {
    const file = options.file === undefined ? defaultIngestWorkerFile() : options.file;
    if (file === null) return null;
    const size = Math.max(1, Math.floor(options.size ?? Math.min(4, availableParallelism())));
    return new IngestWorkerPool(file, size);
  }

  /** Workers in the pool. */
  get size(): number {
    return this.#size;
  }

  /** Whether a worker stopped (the pool takes no more batches). */
  get failed(): boolean {
    return this.#failed !== null;
  }

  /** The first invalid record of the batch (in its order), or null; rejects like `build`. */
  async validate(records: SessionRecordText[], settings: IngestBuildSettings): Promise<RecordFailure | null> {
    const reply = await this.#ask({ kind: 'validate', settings, records });
    return 'failure' in reply ? reply.failure : null;
  }

  /** The batch built, or its first invalid record; rejects with `IngestWorkerUnavailableError` when the worker stopped. */
  async build(records: SessionRecordText[], settings: IngestBuildSettings): Promise<BuiltBatch | RecordFailure> {
    const reply = await this.#ask({ kind: 'build', settings, records });
    if ('built' in reply) return reply.built;
    return reply.failure ?? { record: 0, reason: 'the worker answered without a result' };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    this.#failed ??= 'closed';
    for (const { worker, pending } of workers) {
      for (const entry of pending.values()) entry.reject(new IngestWorkerUnavailableError('the ingest worker pool was closed'));
      pending.clear();
      await worker.terminate();
    }
  }

  #ask(request: Omit<IngestWorkerRequest, 'id'>): Promise<IngestWorkerReply> {
    if (this.#failed !== null) return Promise.reject(new IngestWorkerUnavailableError(this.#failed));
    let slot: { worker: Worker; pending: Map<number, Pending> };
    try {
      slot = this.#slot();
    } catch (error) {
      this.#fail(`the ingest worker could not start: ${error instanceof Error ? error.message : String(error)}`);
      return Promise.reject(new IngestWorkerUnavailableError(this.#failed!));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      // While an answer is awaited the worker keeps the process alive (an unref'd worker would let it exit).
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, ...request } satisfies IngestWorkerRequest);
    });
  }

  /** The next worker in turn, started if it is not yet. */
  #slot(): { worker: Worker; pending: Map<number, Pending> } {
    const index = this.#next;
    this.#next = (this.#next + 1) % this.#size;
    const existing = this.#workers[index];
    if (existing !== undefined) return existing;
    const worker = new Worker(this.#file, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.unref();
    const slot = { worker, pending: new Map<number, Pending>() };
    worker.on('message', (reply: IngestWorkerReply) => {
      const entry = slot.pending.get(reply.id);
      if (entry === undefined) return;
      slot.pending.delete(reply.id);
      // Nothing to wait for: the worker must not keep the process alive.
      if (slot.pending.size === 0) worker.unref();
      entry.resolve(reply);
    });
    worker.once('error', (error) => this.#fail(`the ingest worker failed: ${error.message}`));
    worker.once('exit', (code) => this.#fail(`the ingest worker exited (code ${code})`));
    this.#workers[index] = slot;
    return slot;
  }

  #fail(reason: string): void {
    if (this.#failed === null) this.#failed = reason;
    for (const { worker, pending } of this.#workers.splice(0)) {
      for (const entry of pending.values()) entry.reject(new IngestWorkerUnavailableError(reason));
      pending.clear();
      void worker.terminate();
    }
  }
}
