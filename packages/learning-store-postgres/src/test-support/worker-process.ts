import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { followWorkerProtocol, type WorkerProtocol } from '@orchestra/learning-collector/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..', '..');

/** An `ingest-worker.ts` child and what it reported so far (a failure: the rest of its `fail` line). */
export type RunningWorker = WorkerProtocol<string>;

/** Starts an ingest worker (see `ingest-worker.ts`). */
export function startIngestWorker(options: { url: string; dataDir: string; seed: number; first: number; count: number; window: number }): RunningWorker {
  const parameters = [options.url, options.dataDir, options.seed, options.first, options.count, options.window].map(String);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'ingest-worker.ts'), ...parameters], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  return followWorkerProtocol(child, (rest) => rest);
}
