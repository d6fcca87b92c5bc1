import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import type { TaskContext } from '@orchestra/learning-types';

/** A batch of tasks sent to the worker: `[description, files]` each. */
export interface InferenceRequest {
  id: number;
  tasks: [string, string[]][];
}

/** The worker's answer: the contexts in the batch's order, or the error that stopped it. */
export type InferenceReply = { id: number; contexts: TaskContext[] } | { id: number; error: string };

/** Smallest batch worth sending to the worker (smaller ones are inferred in the calling thread). */
export const MIN_WORKER_BATCH = 32;

/**
 * A worker module built next to this one (`dist/<name>`), or null (the sources run without a build, CJS, a missing
 * file): the package's worker threads load their entries through it.
 */
export function builtWorkerFile(name: string): URL | null {
  try {
    const url = new URL(`./${name}`, import.meta.url);
    return existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/** The built inference worker (`dist/ingest-inference-worker.js`), or null. */
export function defaultInferenceWorkerFile(): URL | null {
  return builtWorkerFile('ingest-inference-worker.js');
}

/**
 * Infers the task contexts of a bulk ingest on a second thread, so that the main thread parses, builds and stores
 * sessions meanwhile (task inference is about a sixth of an ingest's CPU). The contexts are `inferTaskContext`'s,
 * exactly as the calling thread would infer them. The worker starts at the second batch large enough
 * (`MIN_WORKER_BATCH`); until it is up, and whenever it is unavailable or fails, batches are inferred in the calling
 * thread — nothing is lost and the result is the same. The worker keeps the process alive only while an answer is
 * awaited.
 */
export class ContextInferenceWorker {
  /** The worker module; undefined until first needed (then the built one next to this module, or null). */
  #file: URL | string | null | undefined;
  #worker: Worker | null = null;
  #ready = false;
  #failed = false;
  #nextId = 0;
  #largeBatches = 0;
  readonly #pending = new Map<number, { resolve(contexts: TaskContext[]): void; reject(error: Error): void }>();
  /** Batches answered by the worker and in the calling thread (for tests and benchmarks). */
  readonly counts = { worker: 0, callingThread: 0 };

  /** `file`: the worker module (default: the built one next to this module; null: always the calling thread). */
  constructor(options: { file?: URL | string | null } = {}) {
    this.#file = options.file;
  }

  /** The contexts of `tasks`, in order. */
  async infer(tasks: readonly { description: string; files: readonly string[] }[]): Promise<TaskContext[]> {
    // The worker starts at the second batch large enough, not the first: an ingest whose tasks repeat (its contexts
    // memoised after the first batch) never pays for starting it.
    if (tasks.length >= MIN_WORKER_BATCH && !this.#failed && ++this.#largeBatches >= 2 && (this.#file ??= defaultInferenceWorkerFile()) !== null) {
      const worker = this.#start();
      if (worker !== null && this.#ready) {
        try {
          const contexts = await this.#ask(worker, tasks);
          this.counts.worker += 1;
          return contexts;
        } catch {
          // The worker failed (its error is not the input's): this batch and the next are inferred here.
          this.#fail();
        }
      }
    }
    this.counts.callingThread += 1;
    return tasks.map((task) => inferTaskContext({ description: task.description, files: [...task.files] }).context);
  }

  /** Stops the worker (a later batch starts a new one). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = false;
    if (worker !== null) await worker.terminate();
  }

  #start(): Worker | null {
    if (this.#worker !== null) return this.#worker;
    try {
      const worker = new Worker(this.#file!);
      worker.unref();
      worker.once('online', () => {
        if (this.#worker === worker) this.#ready = true;
      });
      worker.on('message', (reply: InferenceReply) => {
        const pending = this.#pending.get(reply.id);
        if (pending === undefined) return;
        this.#pending.delete(reply.id);
        // Nothing to wait for: the worker must not keep the process alive.
        if (this.#pending.size === 0) worker.unref();
        if ('error' in reply) pending.reject(new Error(reply.error));
        else pending.resolve(reply.contexts);
      });
      worker.once('error', () => this.#fail(worker));
      worker.once('exit', () => this.#fail(worker));
      this.#worker = worker;
      return worker;
    } catch {
      this.#failed = true;
      return null;
    }
  }

  #ask(worker: Worker, tasks: readonly { description: string; files: readonly string[] }[]): Promise<TaskContext[]> {
    const id = this.#nextId++;
    const request: InferenceRequest = { id, tasks: tasks.map((task) => [task.description, [...task.files]]) };
    return new Promise((resolve, reject) => {
      // While an answer is awaited the worker keeps the process alive (an unref'd worker would let it exit).
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  #fail(worker: Worker | null = this.#worker): void {
    if (worker !== this.#worker || worker === null) return;
    this.#failed = true;
    this.#worker = null;
    this.#ready = false;
    const error = new Error('the inference worker stopped');
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    void worker.terminate();
  }
}
