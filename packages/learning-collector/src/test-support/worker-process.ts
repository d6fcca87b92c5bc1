import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const workerScript = path.join(here, 'append-worker.ts');
const packageRoot = path.resolve(here, '..', '..');

/** An `append-worker.ts` child and what it reported so far. */
export interface RunningWorker {
  child: ChildProcess;
  acknowledged: string[];
  /** Appends that were rejected: `[id, error code]`. */
  failed: [string, string][];
  ready: Promise<void>;
  exited: Promise<number | null>;
  onAcknowledged?: (count: number) => void;
}

/** Options of `startWorker` beyond the basics. */
export interface WorkerOptions {
  staleLockMs?: number;
  lockTimeoutMs?: number;
  durability?: 'always' | 'batch' | 'none';
  /** Stop (SIGSTOP) itself before every n-th file write (see `append-worker.ts`). */
  stallEvery?: number;
}

/** Starts an append worker (see `append-worker.ts`) writing `count` experiences with `window` appends in flight. */
export function startWorker(dataDir: string, worker: number, count: number, window: number, segmentMaxBytes: number, options: WorkerOptions = {}): RunningWorker {
  const extra =
    options.staleLockMs === undefined
      ? []
      : [String(options.staleLockMs), String(options.lockTimeoutMs ?? options.staleLockMs * 4), options.durability ?? 'batch'];
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, dataDir, String(worker), String(count), String(window), String(segmentMaxBytes), ...extra], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ORCHESTRA_TEST_STALL_EVERY: String(options.stallEvery ?? 0) },
  });
  const running: RunningWorker = {
    child,
    acknowledged: [],
    failed: [],
    ready: Promise.resolve(),
    // 'close' (not 'exit'): every ack already written to the pipe has been read by then.
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
  let buffered = '';
  running.ready = new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === 'ready') resolve();
        else if (line.startsWith('ack ')) {
          running.acknowledged.push(line.slice(4));
          running.onAcknowledged?.(running.acknowledged.length);
        } else if (line.startsWith('fail ')) {
          const [, id, code] = line.split(' ');
          running.failed.push([id!, code!]);
        }
      }
    });
  });
  return running;
}
