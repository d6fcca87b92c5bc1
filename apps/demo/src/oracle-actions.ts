import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createOracle, type SimulatedTask, type World } from '@orchestra/learning-sim';
import type { Action } from '@orchestra/learning-types';
import { oracleOnInferredContext, type InferredContextOracleAnswer, type InferredContextOracleEffort } from './oracle-on-inferred-context';

/** What the oracle is asked: the world, the tasks, and its search effort. */
export interface OracleJob {
  world: World;
  tasks: SimulatedTask[];
  /** Candidates measured by rollouts after the closed-form screen, and rollouts per candidate. */
  candidates: number;
  rollouts: number;
  seed: number;
  /** Also compute the oracle on the inferred context (`oracleOnInferredContext`) with this effort; absent: not computed. */
  inferredContext?: InferredContextOracleEffort;
}

/** The oracle's actions, one per task, and what they cost to find. */
export interface OracleAnswer {
  actions: Action[];
  /** Distinct task kinds searched (the oracle caches per kind). */
  kinds: number;
  /** CPU time of the search (ms, of the thread that ran it). */
  cpuMs: number;
  /** Whether it ran in a worker thread. */
  inWorker: boolean;
  /** The oracle fed the inferred context (one action per task), when the job asked for it; its CPU time (ms). */
  onInferredContext: (InferredContextOracleAnswer & { cpuMs: number }) | null;
}

/** Runs the cached oracle of the simulator on every task (in the calling thread). */
export function computeOracleActions(job: OracleJob): OracleAnswer {
  const started = process.cpuUsage();
  const oracle = createOracle(job.world, { candidates: job.candidates, rollouts: job.rollouts, seed: job.seed });
  const actions = job.tasks.map((task) => oracle.actionFor(task).action);
  const used = process.cpuUsage(started);
  const kinds = oracle.size;
  let onInferredContext: OracleAnswer['onInferredContext'] = null;
  if (job.inferredContext !== undefined) {
    const inferredStarted = process.cpuUsage();
    const answer = oracleOnInferredContext(job.world, job.tasks, oracle, { ...job.inferredContext, seed: job.seed });
    const inferredUsed = process.cpuUsage(inferredStarted);
    onInferredContext = { ...answer, cpuMs: (inferredUsed.user + inferredUsed.system) / 1000 };
  }
  return { actions, kinds, cpuMs: (used.user + used.system) / 1000, inWorker: false, onInferredContext };
}

function workerFile(): URL | null {
  try {
    const url = new URL('./oracle-worker.js', import.meta.url);
    return existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/**
 * Starts the oracle search: in a worker thread when the built worker file is there (`dist/oracle-worker.js`) and
 * `useWorker`, else lazily in the calling thread when the answer is awaited. Never rejects for a worker failure:
 * it falls back to the calling thread.
 */
export function startOracle(job: OracleJob, useWorker: boolean): () => Promise<OracleAnswer> {
  const file = useWorker ? workerFile() : null;
  if (file === null) return async () => computeOracleActions(job);
  const answer = new Promise<OracleAnswer>((resolve) => {
    let settled = false;
    const worker = new Worker(file, { workerData: job });
    worker.once('message', (message: OracleAnswer) => {
      settled = true;
      resolve({ ...message, inWorker: true });
      void worker.terminate();
    });
    const fallBack = () => {
      if (settled) return;
      settled = true;
      resolve(computeOracleActions(job));
    };
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
  });
  return () => answer;
}
