import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where per-epoch metrics go: one JSON object per call. */
export interface MetricsSink {
  append(record: Record<string, unknown>): void;
}

/** Keeps the records in memory (for tests and callers that handle persistence themselves). */
export class MemoryMetricsSink implements MetricsSink {
  readonly records: Record<string, unknown>[] = [];
  append(record: Record<string, unknown>): void {
    this.records.push(record);
  }
}

/** Appends one JSON line per record to `<dataDir>/metrics/<runId>.jsonl`, creating the folder when needed. */
export class JsonlMetricsSink implements MetricsSink {
  readonly path: string;

  constructor(dataDir: string, runId: string) {
    if (!/^[\w.-]+$/.test(runId)) throw new RangeError(`runId must be a plain file name, got ${JSON.stringify(runId)}`);
    const folder = join(dataDir, 'metrics');
    mkdirSync(folder, { recursive: true });
    this.path = join(folder, `${runId}.jsonl`);
  }

  append(record: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
