import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseExperience } from '@orchestra/learning-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from './csv-writer';
import { ExportError } from './errors';
import { exportExperiences } from './experience-export';
import { MemoryExperienceStore } from './memory-experience-store';
import { makeExperience } from './test-support/experience-factory';
import { createTemporaryDirectory } from './test-support/temporary-directory';

let directory: string;
let remove: () => void;
beforeEach(() => {
  ({ directory, remove } = createTemporaryDirectory());
});
afterEach(() => remove());

async function filledStore(count: number): Promise<MemoryExperienceStore> {
  const store = new MemoryExperienceStore();
  await store.append(Array.from({ length: count }, (_, index) => makeExperience(21, index, { featureCount: 6 })));
  return store;
}

describe('exportExperiences', () => {
  it('writes a JSON array of valid experiences to a 0600 file', async () => {
    const store = await filledStore(30);
    const file = path.join(directory, 'training-data.json');
    const report = await exportExperiences(store, file, { format: 'json' });
    expect(report).toMatchObject({ format: 'json', exported: 30, filteredOut: 0 });
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as unknown[];
    expect(parsed).toHaveLength(30);
    expect(parseExperience(parsed[0]).id).toBe('exp-21-0');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('writes an empty JSON array when nothing matches', async () => {
    const store = await filledStore(5);
    const file = path.join(directory, 'empty.json');
    await exportExperiences(store, file, { format: 'json', filter: { modes: ['disabled'] } });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toEqual([]);
  });

  it('writes JSONL filtered by time range, mode and source', async () => {
    const store = await filledStore(300);
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const filter = { from: '2026-02-03T00:00:00Z', to: '2026-02-20T00:00:00Z', modes: ['production' as const, 'ab_test' as const], sources: ['learned' as const] };
    const report = await exportExperiences(store, output, { format: 'jsonl', filter });
    const lines = Buffer.concat(chunks).toString().trim().split('\n');
    expect(lines).toHaveLength(report.exported);
    expect(report.exported + report.filteredOut).toBe(300);
    for (const line of lines) {
      const experience = parseExperience(JSON.parse(line));
      expect(['production', 'ab_test']).toContain(experience.mode);
      expect(experience.policy.source).toBe('learned');
      expect(experience.timestamp >= '2026-02-03' && experience.timestamp < '2026-02-20').toBe(true);
    }
  });

  it('writes CSV with flattened feature, action and reward columns that parse back', async () => {
    const store = await filledStore(20);
    const file = path.join(directory, 'training-data.csv');
    await exportExperiences(store, file, { format: 'csv', featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const rows = parseCsv(await fs.readFile(file, 'utf8'));
    const [header, ...records] = rows;
    expect(records).toHaveLength(20);
    expect(header).toContain('feature_a');
    expect(header).toContain('action_model_executor');
    expect(header).toContain('reward_taskSuccess');
    const column = (name: string) => header!.indexOf(name);
    const first = makeExperience(21, 0, { featureCount: 6 });
    const record = records[0]!;
    expect(record).toHaveLength(header!.length);
    expect(Number(record[column('feature_c')])).toBe(first.state.features[2]);
    expect(record[column('action_agents')]).toBe(first.action.agents.join(';'));
    expect(record[column('action_model_auditor')]).toBe('');
    expect(Number(record[column('reward_total')])).toBe(first.reward.total);
    expect(JSON.parse(record[column('reward_components_json')]!)).toEqual(first.reward.components);
    expect(record[column('outcome_success')]).toBe(String(first.outcome.success));
    // The cost weight a propensity belongs to: empty for a record without one, the weight otherwise.
    expect(record[column('policy_cost_weight')]).toBe('');
    const weighted = makeExperience(21, 20, { featureCount: 6 });
    await store.append([{ ...weighted, policy: { ...weighted.policy, costWeight: 2.5 } }]);
    const again = path.join(directory, 'weighted.csv');
    await exportExperiences(store, again, { format: 'csv', featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(parseCsv(await fs.readFile(again, 'utf8')).at(-1)![column('policy_cost_weight')]).toBe('2.5');
  });
});

describe('exportExperiences to a hostile or failing target', () => {
  async function reasonOf(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(ExportError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
    return (error as ExportError).reason;
  }

  it('refuses an empty path, a missing directory, a directory, a device and a symlink, touching nothing', async () => {
    const store = await filledStore(3);
    const outside = path.join(directory, 'outside.txt');
    await fs.writeFile(outside, 'keep me', { mode: 0o644 });
    const link = path.join(directory, 'link.json');
    await fs.symlink(outside, link);
    expect(await reasonOf(exportExperiences(store, ''))).toBe('invalid-path');
    expect(await reasonOf(exportExperiences(store, path.join(directory, 'missing', 'out.json')))).toBe('missing-directory');
    expect(await reasonOf(exportExperiences(store, directory))).toBe('not-a-regular-file');
    expect(await reasonOf(exportExperiences(store, '/dev/full', { overwrite: true }))).toBe('not-a-regular-file');
    expect(await reasonOf(exportExperiences(store, link, { overwrite: true }))).toBe('symlink');
    expect(await fs.readFile(outside, 'utf8')).toBe('keep me');
    expect((await fs.stat(outside)).mode & 0o777).toBe(0o644);
    expect((await fs.stat('/dev/full')).mode & 0o777).not.toBe(0o600);
    expect((await fs.readdir(directory)).sort()).toEqual(['link.json', 'outside.txt']);
  });

  it('refuses to overwrite an existing file unless asked, then replaces it atomically', async () => {
    const store = await filledStore(4);
    const file = path.join(directory, 'out.jsonl');
    await fs.writeFile(file, 'previous export\n');
    expect(await reasonOf(exportExperiences(store, file, { format: 'jsonl' }))).toBe('exists');
    expect(await fs.readFile(file, 'utf8')).toBe('previous export\n');
    const report = await exportExperiences(store, file, { format: 'jsonl', overwrite: true });
    expect(report.exported).toBe(4);
    expect((await fs.readFile(file, 'utf8')).trim().split('\n')).toHaveLength(4);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(directory)).toEqual(['out.jsonl']);
  });

  it('leaves no file (and an existing one untouched) when reading fails midway', async () => {
    const good = await filledStore(2);
    const failing: MemoryExperienceStore = Object.assign(Object.create(good) as MemoryExperienceStore, {
      read: () => {
        const stream = good.read();
        return {
          summary: stream.summary,
          async *batches() {
            yield [makeExperience(21, 0, { featureCount: 6 })];
            throw new Error('disk read error\nsecond line');
          },
          [Symbol.asyncIterator]: stream[Symbol.asyncIterator],
        };
      },
    });
    const fresh = path.join(directory, 'fresh.json');
    expect(await reasonOf(exportExperiences(failing, fresh))).toBe('write-failed');
    const existing = path.join(directory, 'existing.json');
    await fs.writeFile(existing, '[]\n');
    expect(await reasonOf(exportExperiences(failing, existing, { overwrite: true }))).toBe('write-failed');
    expect(await fs.readFile(existing, 'utf8')).toBe('[]\n');
    expect(await fs.readdir(directory)).toEqual(['existing.json']);
  });
});
