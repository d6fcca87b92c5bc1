import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { followWorkerProtocol, type WorkerProtocol } from './worker-protocol';

const here = path.dirname(fileURLToPath(import.meta.url));
const workerScript = path.join(here, 'append-worker.ts');
const packageRoot = path.resolve(here, '..', '..');

/** An `append-worker.ts` child and what it reported so far; a failure is `[id, error code]`. */
export type RunningWorker = WorkerProtocol<[string, string]>;

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
  return followWorkerProtocol(child, (rest): [string, string] => {
    const [id, code] = rest.split(' ');
    return [id!, code!];
  });
}

