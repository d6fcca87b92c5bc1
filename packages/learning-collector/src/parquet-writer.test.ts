import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { exportExperiences } from './experience-export';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { writeParquet } from './parquet-writer';
import { makeExperience } from './test-support/experience-factory';
import { createTemporaryDirectory } from './test-support/temporary-directory';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function directory(): string {
  const { directory: created, remove } = createTemporaryDirectory('orchestra-parquet-');
  cleanups.push(remove);
  return created;
}

/** Reads a Parquet file with DuckDB (an independent reader: C++, not the JavaScript writer's own parser). */
async function readWithDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql.replace('$file', `read_parquet('${file.replaceAll("'", "''")}')`));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('Parquet export', () => {
  it('writes a file DuckDB reads back: row count, ids, timestamps, rewards, booleans, features, nulls', async () => {
    const dataDir = directory();
    const experiences = Array.from({ length: 57 }, (_, index) => {
      const experience = makeExperience(21, index, { withSession: index % 2 === 0, featureCount: 6 });
      return { ...experience, id: `pq-${index}`, timestamp: new Date(Date.UTC(2026, 1, 3, 4, 5, index, 250)).toISOString() };
    });
    const store = await JsonlExperienceStore.open({ dataDir });
    await store.append(experiences);
    await fs.appendFile(store.activePath, '{"broken":\n');
    const output = path.join(dataDir, 'history.parquet');
    const report = await exportExperiences(store, output, { format: 'parquet' });
    expect(report).toMatchObject({ format: 'parquet', exported: 57, quarantined: 1 });
    const rows = await readWithDuckDb(output, 'select id, epoch_ms(timestamp) as ms, reward_total, outcome_success, feature_0, feature_5, task_type, action_model_executor, action_model_auditor from $file order by id');
    expect(rows).toHaveLength(57);
    const byId = new Map(experiences.map((experience) => [experience.id, experience]));
    for (const row of rows) {
      const experience = byId.get(row.id as string)!;
      expect(Number(row.ms)).toBe(Date.parse(experience.timestamp));
      expect(row.reward_total).toBe(experience.reward.total);
      expect(row.outcome_success).toBe(experience.outcome.success);
      expect(row.feature_0).toBe(experience.state.features[0]);
      expect(row.feature_5).toBe(experience.state.features[5]);
      expect(row.task_type).toBe(experience.state.context.taskType);
      expect(row.action_model_executor).toBe(experience.action.models.executor ?? null);
      expect(row.action_model_auditor).toBe(experience.action.models.auditor ?? null);
    }
    const [summary] = await readWithDuckDb(output, 'select count(*)::INTEGER as n, sum(reward_total) as total from $file');
    expect(summary!.n).toBe(57);
    expect(summary!.total).toBeCloseTo(experiences.reduce((sum, experience) => sum + experience.reward.total, 0), 9);
    // Filtered, and an empty result is still a valid file.
    const empty = path.join(dataDir, 'empty.parquet');
    expect((await exportExperiences(store, empty, { format: 'parquet', filter: { from: '2030-01-01T00:00:00Z' } })).exported).toBe(0);
    expect((await readWithDuckDb(empty, 'select count(*)::INTEGER as n from $file'))[0]!.n).toBe(0);
    // Atomic and refusing to overwrite, as every file export.
    await expect(exportExperiences(store, output, { format: 'parquet' })).rejects.toMatchObject({ reason: 'exists' });
    await store.close();
  });

  it('streams row groups: many groups read back in order', async () => {
    const dataDir = directory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const experiences = Array.from({ length: 230 }, (_, index) => ({ ...makeExperience(4, index, { withSession: false, featureCount: 3 }), id: `g-${String(index).padStart(4, '0')}` }));
    await store.append(experiences);
    const chunks: Uint8Array[] = [];
    const written = await writeParquet(store.read(), { rowGroupRows: 50 }, { writeBytes: async (bytes) => void chunks.push(bytes) });
    expect(written).toBe(230);
    // One chunk per row group (5) plus the footer.
    expect(chunks.length).toBe(6);
    const file = path.join(dataDir, 'groups.parquet');
    await fs.writeFile(file, Buffer.concat(chunks));
    const rows = await readWithDuckDb(file, 'select id from $file');
    expect(rows.map((row) => row.id)).toEqual(experiences.map((experience) => experience.id));
    const [groups] = await readWithDuckDb(file, "select count(distinct row_group_id)::INTEGER as n from parquet_metadata('" + file + "')");
    expect(groups!.n).toBe(5);
    await store.close();
  });
});
