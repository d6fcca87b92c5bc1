/**
 * The worker thread of `IngestWorkerPool`: validates or builds batches of session-file records
 * (`IngestRecordBuilder`) and posts the results back. Built as its own entry (`dist/ingest-build-worker.js`), loaded
 * by file next to the package's entry.
 */
import { parentPort } from 'node:worker_threads';
import { failureOf, IngestRecordBuilder } from './ingest-build';
import type { IngestWorkerReply, IngestWorkerRequest } from './ingest-worker-pool';

const port = parentPort;
if (port !== null) {
  // One builder per ingest (file and reward): its context memo serves the batches of that ingest.
  let builder: { key: string; builder: IngestRecordBuilder } | null = null;
  port.on('message', (request: IngestWorkerRequest) => {
    let reply: IngestWorkerReply;
    try {
      if (request.kind === 'validate') {
        reply = { id: request.id, failure: IngestRecordBuilder.firstInvalid(request.records, request.settings.file) };
      } else {
        const key = JSON.stringify(request.settings);
        if (builder === null || builder.key !== key) builder = { key, builder: new IngestRecordBuilder(request.settings) };
        reply = { id: request.id, built: builder.builder.build(request.records) };
      }
    } catch (error) {
      const last = request.records[request.records.length - 1];
      reply = { id: request.id, failure: failureOf(error, last === undefined ? 0 : last[1]) };
    }
    port.postMessage(reply);
  });
}
