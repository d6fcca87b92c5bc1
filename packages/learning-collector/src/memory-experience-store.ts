import { experienceSchema, validate, type Experience, type ExperienceInput } from '@orchestra/learning-types';
import { compileExperienceFilter } from './experience-filter';
import type { AppendOptions, AppendReceipt, DurableExperienceStore, ReadOptions, StoreStatsOptions } from './experience-store';
import { createExperienceStream, emptyReadSummary, type ExperienceStream } from './experience-stream';
import { ExperienceStoreError } from './errors';
import { computeExperienceStats } from './experience-stats';
import type { QuarantineEntry } from './quarantine';
import type { StoreStatsReport } from './store-stats';

/**
 * An `ExperienceStore` in memory, for tests of packages that record or read experiences. It validates like the
 * file store and keeps deep copies (what is read never aliases what was appended).
 */
export class MemoryExperienceStore implements DurableExperienceStore {
  readonly kind = 'memory';
  readonly location = 'memory';
  private readonly records: Experience[] = [];
  private readonly quarantined: QuarantineEntry[] = [];
  private closed = false;

  /** Number of stored experiences. */
  get size(): number {
    return this.records.length;
  }

  async append(experiences: Experience | readonly (Experience | ExperienceInput)[], options: AppendOptions = {}): Promise<AppendReceipt> {
    if (this.closed) throw new ExperienceStoreError({ operation: 'append', path: 'memory', message: 'the store is closed' });
    const list = Array.isArray(experiences) ? experiences : [experiences as Experience];
    const validated =
      options.validated === true ? (list as readonly Experience[]) : list.map((experience) => validate(experienceSchema, experience, 'Experience'));
    let bytes = 0;
    for (const experience of validated) {
      const line = JSON.stringify(experience);
      bytes += Buffer.byteLength(line) + 1;
      this.records.push(JSON.parse(line) as Experience);
    }
    return { count: validated.length, bytes };
  }

  read(options: ReadOptions = {}): ExperienceStream {
    const predicate = compileExperienceFilter(options.filter);
    const summary = emptyReadSummary();
    const records = this.records;
    return createExperienceStream(summary, async function* () {
      summary.segments = 1;
      const batchSize = 1024;
      for (let start = 0; start < records.length; start += batchSize) {
        const batch: Experience[] = [];
        for (const record of records.slice(start, start + batchSize)) {
          summary.lines += 1;
          summary.valid += 1;
          if (predicate !== undefined && !predicate(record)) {
            summary.filteredOut += 1;
            continue;
          }
          batch.push(structuredClone(record));
        }
        yield batch;
      }
    });
  }

  /** Statistics by one pass over the records (`method: 'scan'`). */
  async stats(options: StoreStatsOptions = {}): Promise<StoreStatsReport> {
    const stream = this.read(options.filter === undefined ? {} : { filter: options.filter });
    const stats = await computeExperienceStats(stream);
    stats.quarantined = this.quarantined.length;
    return { stats, method: 'scan', reindexed: [], saved: true, segments: 1, scannedBytes: 0 };
  }

  async quarantine(entries: readonly QuarantineEntry[]): Promise<number> {
    const keys = new Set(this.quarantined.map((entry) => entry.key));
    let added = 0;
    for (const entry of entries) {
      if (keys.has(entry.key)) continue;
      keys.add(entry.key);
      this.quarantined.push({ ...entry });
      added += 1;
    }
    return added;
  }

  async readQuarantine(): Promise<QuarantineEntry[]> {
    return this.quarantined.map((entry) => ({ ...entry }));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
