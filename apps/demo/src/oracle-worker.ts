import { parentPort, workerData } from 'node:worker_threads';
import { computeOracleActions, type OracleJob } from './oracle-actions';

// Runs on the second core: the oracle's screen and rollouts for every held-out task, while the learning loop runs.
if (parentPort !== null) {
  const job = workerData as OracleJob;
  parentPort.postMessage(computeOracleActions(job));
}
