import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ValidationError, type Experience } from '@orchestra/learning-types';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { ExperienceStoreError, ExperienceTooLargeError } from './errors';
import { ExperienceCollector } from './experience-collector';
import { computeExperienceStats, ExperienceStatsAccumulator } from './experience-stats';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { listSegments } from './segment-files';
import { segmentSummaryName } from './segment-summary';
import { makeExperience } from './test-support/experience-factory';

const dataDirectory = useTemporaryDirectories('orchestra-append-serialized-');

const serialised = (experience: Experience) => ({ line: JSON.stringify(experience), id: experience.id, sessionId: experience.sessionId });

function statsOf(experiences: readonly Experience[]): ExperienceStatsAccumulator {
  const accumulator = new ExperienceStatsAccumulator();
  for (const experience of experiences) accumulator.add(experience);
  return accumulator;
}

async function readAll(store: JsonlExperienceStore): Promise<Experience[]> {
  const experiences: Experience[] = [];
  for await (const experience of store.read()) experiences.push(experience);
  return experiences;
}

const experiences = Array.from({ length: 60 }, (_, index) => ({ ...makeExperience(21, index, { withSession: index % 4 !== 0 }), sessionId: `session-${index}` }));

describe('JsonlExperienceStore.appendSerialized', () => {
  it('writes the lines as given, and the statistics given seal the rotated segments (no re-reading)', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir, segmentMaxBytes: 16 * 1024, compressRotatedSegments: false });
    for (let start = 0; start < experiences.length; start += 10) {
      const batch = experiences.slice(start, start + 10);
      expect(await store.appendSerialized(batch.map(serialised), statsOf(batch))).toMatchObject({ count: 10 });
    }
    await store.close();
    const reader = await JsonlExperienceStore.open({ dataDir, readOnly: true });
    expect(await readAll(reader)).toEqual(experiences);
    const segments = (await listSegments(reader.directory)).filter((segment) => !segment.active);
    expect(segments.length).toBeGreaterThan(2);
    for (const segment of segments) await expect(fs.stat(path.join(reader.directory, segmentSummaryName(segment.sequence)))).resolves.toBeDefined();
    const report = await reader.stats();
    expect(report.reindexed).toEqual([]);
    expect(report.stats).toEqual(await computeExperienceStats(experiences));
    await reader.close();
  });

  it('takes the statistics as the caller vouches for them, and reads the records back when none are given', async () => {
    const vouched = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir: vouched, segmentMaxBytes: 16 * 1024, compressRotatedSegments: false });
    // Statistics of fewer records than the lines: the segment they seal counts what the caller said (its contract).
    await store.appendSerialized(experiences.slice(0, 5).map(serialised), statsOf(experiences.slice(0, 2)));
    // The next batch does not fit: the first segment is sealed with the summary kept in memory.
    await store.appendSerialized(experiences.slice(5, 35).map(serialised), statsOf(experiences.slice(5, 35)));
    await store.close();
    const vouchedReader = await JsonlExperienceStore.open({ dataDir: vouched, readOnly: true });
    expect((await listSegments(vouchedReader.directory)).length).toBe(2);
    expect((await vouchedReader.stats()).stats.totalExperiences).toBe(2 + 30);
    await vouchedReader.close();

    const unknown = dataDirectory();
    const without = await JsonlExperienceStore.open({ dataDir: unknown, segmentMaxBytes: 16 * 1024, compressRotatedSegments: false });
    for (let start = 0; start < experiences.length; start += 10) await without.appendSerialized(experiences.slice(start, start + 10).map(serialised));
    await without.close();
    const reader = await JsonlExperienceStore.open({ dataDir: unknown, readOnly: true });
    expect((await reader.stats()).stats).toEqual(await computeExperienceStats(experiences));
    await reader.close();
  });

  it('refuses a line over maxLineBytes or not one JSON object on one line (nothing written), and a read-only or closed store', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir, maxLineBytes: 4096 });
    const large = { ...experiences[1]!, task: { description: 'x'.repeat(5000), files: [] } };
    const error = await store.appendSerialized([serialised(experiences[0]!), serialised(large)]).catch((caught: unknown) => caught);
    expect(ExperienceTooLargeError.isInstance(error)).toBe(true);
    expect((error as ExperienceTooLargeError).experienceId).toBe(large.id);
    expect(await readAll(store)).toEqual([]);
    // Not one JSON object on one line: refused before anything is written.
    for (const line of ['', `${serialised(experiences[0]!).line}\n${serialised(experiences[1]!).line}`, '[1,2]']) {
      await expect(store.appendSerialized([serialised(experiences[2]!), { line, id: 'bad' }])).rejects.toSatisfy(ValidationError.isInstance);
    }
    expect(await readAll(store)).toEqual([]);
    await store.close();
    await expect(store.appendSerialized([serialised(experiences[0]!)])).rejects.toSatisfy(ExperienceStoreError.isInstance);
    const reader = await JsonlExperienceStore.open({ dataDir, readOnly: true });
    await expect(reader.appendSerialized([serialised(experiences[0]!)])).rejects.toThrow(/read-only/);
    await reader.close();
  });
});

describe('ExperienceCollector.appendSerialized', () => {
  it('stores each session once, and passes the statistics on only when it skipped nothing', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const collector = new ExperienceCollector({ store, mode: 'shadow' });
    await store.append(experiences[0]!);
    const repeated = { ...experiences[3]!, id: 'another-id', sessionId: experiences[2]!.sessionId };
    const batch = [experiences[0]!, experiences[1]!, experiences[2]!, repeated, experiences[4]!];
    // The statistics of the whole batch: taken as they are they would count five records, two of them not stored.
    const stored = await collector.appendSerialized(batch.map(serialised), statsOf(batch));
    expect(stored.map((record) => record.id)).toEqual([experiences[1]!.id, experiences[2]!.id, experiences[4]!.id]);
    const next = experiences.slice(5, 9);
    expect(await collector.appendSerialized(next.map(serialised), statsOf(next))).toHaveLength(4);
    const all = [experiences[0]!, experiences[1]!, experiences[2]!, experiences[4]!, ...next];
    expect(await readAll(store)).toEqual(all);
    expect((await store.stats({ saveSummaries: false })).stats).toEqual(await computeExperienceStats(all));
    await store.close();
  });

  it('refuses a store that does not take serialised records', async () => {
    const store = { append: async () => ({ count: 0, bytes: 0 }), read: () => { throw new Error('unused'); }, flush: async () => {}, close: async () => {} };
    const collector = new ExperienceCollector({ store: store as never, mode: 'shadow' });
    await expect(collector.appendSerialized([serialised(experiences[0]!)])).rejects.toSatisfy(ExperienceStoreError.isInstance);
  });
});
