import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { JsonlExperienceStore, type ExperienceStore } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';
import { LearningStateStore } from '../learning-state';
import { renderLearningReport } from './render-report';
import { addExperienceToReport, emptyReportData, readLearningCurves, type ReportData } from './report-data';

/** Gathers the report data from experiences and the learning curves in `metricsDirectory`. */
export async function collectReportData(experiences: AsyncIterable<Experience> | Iterable<Experience>, metricsDirectory?: string): Promise<ReportData> {
  const data = emptyReportData();
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  for await (const experience of experiences) addExperienceToReport(data, experience, random);
  if (metricsDirectory !== undefined) data.curves = await readLearningCurves(metricsDirectory);
  return data;
}

/**
 * Writes the HTML report of a data directory: the experience buffer (`<dataDir>/experience_buffer`, or the `store`
 * given, which the caller closes) and the trainer's learning curves (`<dataDir>/metrics/*.jsonl`). Returns the path written and the data drawn.
 */
export async function writeLearningReport(options: { dataDir: string; output: string; title?: string; store?: ExperienceStore }): Promise<{ path: string; data: ReportData }> {
  // The experiences of the given store (the configured one: JSONL or PostgreSQL), else the data dir's buffer.
  const store = options.store ?? (await JsonlExperienceStore.open({ dataDir: options.dataDir, readOnly: true }));
  let data: ReportData;
  try {
    data = await collectReportData(store.read({ quarantine: false }), join(options.dataDir, 'metrics'));
  } finally {
    if (options.store === undefined) await store.close();
  }
  // The drift events live in the state file; a report of a data dir without one (or with a damaged one) shows none.
  data.drift = await new LearningStateStore(options.dataDir)
    .read()
    .then((state) => state.drift.events.map(({ sessionsRecorded: _sessions, ...event }) => event))
    .catch(() => []);
  const path = resolve(options.output);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written to a private temporary file, then renamed: never through a symlink planted at the target, never 0644.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await rm(temporary, { force: true });
  try {
    await writeFile(temporary, renderLearningReport(data, options.title === undefined ? {} : { title: options.title }), { mode: 0o600, flag: 'wx' });
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
  return { path, data };
}
