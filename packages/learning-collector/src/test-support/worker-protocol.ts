import type { ChildProcess } from 'node:child_process';

/** A spawned test worker and what it reported on stdout so far (`ready`, `ack ID`, `fail …`, one per line). */
export interface WorkerProtocol<Failure> {
  child: ChildProcess;
  acknowledged: string[];
  failed: Failure[];
  /** Resolves on `ready`; rejects when the worker exits first (with its stderr, when piped). */
  ready: Promise<void>;
  /** The exit code, after 'close': every line written to the pipe has been read by then. */
  exited: Promise<number | null>;
  onAcknowledged?: (count: number) => void;
}

/** Follows the line protocol of a test worker; `parseFailure` reads what follows `fail `. */
export function followWorkerProtocol<Failure>(child: ChildProcess, parseFailure: (rest: string) => Failure): WorkerProtocol<Failure> {
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const worker: WorkerProtocol<Failure> = {
    child,
    acknowledged: [],
    failed: [],
    ready: Promise.resolve(),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
  let buffered = '';
  worker.ready = new Promise((resolve, reject) => {
    child.on('close', (code) => reject(new Error(`worker exited (${code}) before it was ready${errors === '' ? '' : `:\n${errors}`}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === 'ready') resolve();
        else if (line.startsWith('ack ')) {
          worker.acknowledged.push(line.slice(4));
          worker.onAcknowledged?.(worker.acknowledged.length);
        } else if (line.startsWith('fail ')) worker.failed.push(parseFailure(line.slice(5)));
      }
    });
  });
  // A worker that dies early is reported by whoever awaits `ready`; nobody else needs the rejection.
  worker.ready.catch(() => {});
  return worker;
}
