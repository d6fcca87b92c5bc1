import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseExperience } from '@orchestra/learning-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from './csv-writer';
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
  });
});
