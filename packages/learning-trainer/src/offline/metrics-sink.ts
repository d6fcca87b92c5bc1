import { appendFileSync, chmodSync, mkdirSync, statSync } from 'node:fs';
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

/** Appends one JSON line per record to `<dataDir>/metrics/<runId>.jsonl` (mode 0600), creating the folder (0700) when needed. */
export class JsonlMetricsSink implements MetricsSink {
  readonly path: string;

  constructor(dataDir: string, runId: string) {
    if (!/^[\w.-]+$/.test(runId)) throw new RangeError(`runId must be a plain file name, got ${JSON.stringify(runId)}`);
    const folder = join(dataDir, 'metrics');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if ((statSync(folder).mode & 0o777) !== 0o700) chmodSync(folder, 0o700);
    this.path = join(folder, `${runId}.jsonl`);
  }

  append(record: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }
}
