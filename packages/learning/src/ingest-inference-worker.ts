/**
 * The worker thread of `ContextInferenceWorker`: infers the task contexts of a batch of tasks (`inferTaskContext`,
 * the same function the runtime calls on the main thread) and posts them back. Built as its own entry
 * (`dist/ingest-inference-worker.js`), loaded by file next to the package's entry.
 */
import { parentPort } from 'node:worker_threads';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import type { InferenceReply, InferenceRequest } from './context-inference-worker';

const port = parentPort;
if (port !== null) {
  port.on('message', (request: InferenceRequest) => {
    let reply: InferenceReply;
    try {
      reply = { id: request.id, contexts: request.tasks.map(([description, files]) => inferTaskContext({ description, files }).context) };
    } catch (error) {
      reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
