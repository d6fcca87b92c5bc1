import { experienceSchema, validate, type Experience, type ExperienceInput } from '@orchestra/learning-types';
import { compileExperienceFilter } from './experience-filter';
import type { AppendOptions, AppendReceipt, ExperienceStore, ReadOptions } from './experience-store';
import { createExperienceStream, emptyReadSummary, type ExperienceStream } from './experience-stream';
import { ExperienceStoreError } from './errors';

/**
 * An `ExperienceStore` in memory, for tests of packages that record or read experiences. It validates like the
 * file store and keeps deep copies (what is read never aliases what was appended).
 */
export class MemoryExperienceStore implements ExperienceStore {
  private readonly records: Experience[] = [];
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

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
