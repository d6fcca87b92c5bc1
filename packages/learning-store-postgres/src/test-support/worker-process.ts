import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..', '..');

/** An `ingest-worker.ts` child and what it reported so far. */
export interface RunningWorker {
  child: ChildProcess;
  acknowledged: string[];
  failed: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
  onAcknowledged?: (count: number) => void;
}

/** Starts an ingest worker (see `ingest-worker.ts`). */
export function startIngestWorker(options: { url: string; dataDir: string; seed: number; first: number; count: number; window: number }): RunningWorker {
  const parameters = [options.url, options.dataDir, options.seed, options.first, options.count, options.window].map(String);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'ingest-worker.ts'), ...parameters], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: RunningWorker = {
    child,
    acknowledged: [],
    failed: [],
    ready: Promise.resolve(),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
  };
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  let buffered = '';
  running.ready = new Promise((resolve, reject) => {
    child.on('close', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${errors}`)));
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
        } else if (line.startsWith('fail ')) running.failed.push(line.slice(5));
      }
    });
  });
  running.ready.catch(() => {});
  return running;
}
