import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '@orchestra/learning-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperienceTooLargeError } from './errors';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { QuarantineWriter } from './quarantine';
import { listSegments } from './segment-files';
import { resolveDataDir } from './store-config';
import { makeExperience } from './test-support/experience-factory';
import { collect, createTemporaryDirectory } from './test-support/temporary-directory';

let directory: string;
let remove: () => void;

beforeEach(() => {
  ({ directory, remove } = createTemporaryDirectory());
});
afterEach(() => remove());

describe('JsonlExperienceStore', () => {
  it('appends and reads back experiences in order, with 0600 files under <dataDir>/experience_buffer', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    const experiences = Array.from({ length: 50 }, (_, index) => makeExperience(7, index));
    const receipts = await Promise.all([store.append(experiences.slice(0, 20)), store.append(experiences.slice(20))]);
    expect(receipts.map((receipt) => receipt.count)).toEqual([20, 30]);
    const read = await collect(store.read());
    expect(read.map((experience) => experience.id)).toEqual(experiences.map((experience) => experience.id));
    expect(read[3]).toEqual(experiences[3]);
    expect(store.activePath).toBe(path.join(directory, 'experience_buffer', 'experiences.jsonl'));
    expect((await fs.stat(store.activePath)).mode & 0o777).toBe(0o600);
    await store.close();
    await expect(store.append(experiences[0]!)).rejects.toThrow(/closed/);
  });

  it('takes the data directory from ORCHESTRA_DATA_DIR, else ./data', () => {
    expect(resolveDataDir(undefined, { ORCHESTRA_DATA_DIR: '/srv/orchestra' })).toBe('/srv/orchestra');
    expect(resolveDataDir('/explicit', { ORCHESTRA_DATA_DIR: '/srv/orchestra' })).toBe('/explicit');
    expect(resolveDataDir(undefined, {})).toBe(path.resolve('./data'));
  });

  it.each(['always', 'batch', 'none'] as const)('acknowledges appends in %s durability only once they are in the file', async (durability) => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, durability });
    const pending = Array.from({ length: 10 }, (_, index) => store.append(makeExperience(3, index)));
    await Promise.all(pending);
    const text = await fs.readFile(store.activePath, 'utf8');
    expect(text.trim().split('\n')).toHaveLength(10);
    await store.close();
  });

  it('refuses invalid and over-long experiences without writing anything', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, maxLineBytes: 4096 });
    const invalid = { ...makeExperience(1, 0), propensity: 0 };
    await expect(store.append(invalid)).rejects.toSatisfy(ValidationError.isInstance);
    const huge = makeExperience(1, 1);
    huge.task = { description: 'x'.repeat(5000), files: [] };
    await expect(store.append([makeExperience(1, 2), huge])).rejects.toSatisfy(ExperienceTooLargeError.isInstance);
    await store.flush();
    expect((await collect(store.read())).length).toBe(0);
    await store.close();
  });

  it('closes a torn last line on open: never parsed, quarantined as torn-tail with its bytes by every read', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    await store.append([makeExperience(2, 0), makeExperience(2, 1)]);
    await store.close();
    const torn = JSON.stringify(makeExperience(2, 2)).slice(0, 300);
    await fs.appendFile(store.activePath, torn);
    const reopened = await JsonlExperienceStore.open({ dataDir: directory });
    const text = await fs.readFile(reopened.activePath, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(3);
    const read = reopened.read();
    expect((await collect(read)).map((experience) => experience.id)).toEqual(['exp-2-0', 'exp-2-1']);
    expect(read.summary.quarantinedByReason).toEqual({ 'torn-tail': 1 });
    const quarantine = await QuarantineWriter.readAll(reopened.quarantinePath);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]).toMatchObject({ reason: 'torn-tail', line: 3, bytes: 300, segment: 'experiences.jsonl' });
    expect(Buffer.from(quarantine[0]!.rawBase64!, 'base64').toString()).toBe(torn);
    await reopened.append(makeExperience(2, 3));
    expect((await collect(reopened.read())).map((experience) => experience.id)).toEqual(['exp-2-0', 'exp-2-1', 'exp-2-3']);
    expect(await QuarantineWriter.readAll(reopened.quarantinePath)).toHaveLength(1);
    await reopened.close();
  });

  it('closes a torn tail before writing, so a later append never joins a half line, and counts it as quarantined', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    await store.append(makeExperience(4, 0));
    await fs.appendFile(store.activePath, '{"schemaVersion":1,"id":"half');
    await store.append(makeExperience(4, 1));
    const read = store.read();
    expect((await collect(read)).map((experience) => experience.id)).toEqual(['exp-4-0', 'exp-4-1']);
    expect(read.summary.quarantined).toBe(1);
    expect(read.summary.quarantinedByReason).toEqual({ 'torn-tail': 1 });
    await store.close();
  });

  it('rotates at the size limit into numbered gzip segments and reads them transparently in order', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 20_000 });
    const experiences = Array.from({ length: 60 }, (_, index) => makeExperience(5, index));
    for (let start = 0; start < experiences.length; start += 3) await store.append(experiences.slice(start, start + 3));
    await store.close();
    const segments = await listSegments(store.directory);
    expect(segments.length).toBeGreaterThan(3);
    expect(segments.filter((segment) => !segment.active).every((segment) => segment.compressed)).toBe(true);
    expect(segments.at(-1)?.active).toBe(true);
    for (const segment of segments) expect((await fs.stat(segment.path)).size).toBeLessThanOrEqual(20_000);
    const reopened = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 20_000 });
    expect((await collect(reopened.read())).map((experience) => experience.id)).toEqual(experiences.map((experience) => experience.id));
    await reopened.close();
  });

  it('reads plain rotated segments too and compacts them on request', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 20_000, compressRotatedSegments: false });
    const experiences = Array.from({ length: 30 }, (_, index) => makeExperience(6, index));
    for (const experience of experiences) await store.append(experience);
    expect((await listSegments(store.directory)).some((segment) => !segment.active && !segment.compressed)).toBe(true);
    expect((await collect(store.read())).length).toBe(30);
    const compressed = await store.compact();
    expect(compressed.length).toBeGreaterThan(0);
    expect((await listSegments(store.directory)).every((segment) => segment.active || segment.compressed)).toBe(true);
    expect((await collect(store.read())).map((experience) => experience.id)).toEqual(experiences.map((experience) => experience.id));
    await store.close();
  });

  it('filters by time range, mode and policy source', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    const experiences = Array.from({ length: 200 }, (_, index) => makeExperience(8, index));
    await store.append(experiences);
    const filter = { from: '2026-02-05T00:00:00Z', to: new Date('2026-02-10T00:00:00Z'), modes: ['shadow' as const], sources: ['rules' as const] };
    const expected = experiences.filter(
      (experience) =>
        experience.timestamp >= '2026-02-05' && experience.timestamp < '2026-02-10' && experience.mode === 'shadow' && experience.policy.source === 'rules',
    );
    expect(expected.length).toBeGreaterThan(0);
    const stream = store.read({ filter });
    expect((await collect(stream)).map((experience) => experience.id)).toEqual(expected.map((experience) => experience.id));
    expect(stream.summary.filteredOut).toBe(200 - expected.length);
    await store.close();
  });

  it('removes temporary files left by dead processes when it opens', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: directory });
    await store.close();
    const dead = path.join(store.directory, 'experiences.lock.999999999.abcdef.tmp');
    const deadCompression = path.join(store.directory, 'experiences.000001.jsonl.gz.999999999.tmp');
    const alive = path.join(store.directory, `experiences.lock.${process.pid}.abcdef.tmp`);
    for (const file of [dead, deadCompression, alive]) await fs.writeFile(file, 'x');
    const reopened = await JsonlExperienceStore.open({ dataDir: directory });
    const names = await fs.readdir(reopened.directory);
    expect(names).toContain(path.basename(alive));
    expect(names).not.toContain(path.basename(dead));
    expect(names).not.toContain(path.basename(deadCompression));
    await reopened.close();
  });
});
