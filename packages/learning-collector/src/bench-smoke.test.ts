import { describe, expect, it } from 'vitest';
import { benchmarkExperiences, ingestRawAppend, ingestThroughStore, serialiseOnly } from '../bench/ingest';
import { writeSessionFile } from '../bench/record';
import { countLinesBare, statsPass, summaryStatsPass, writeBuffer } from '../bench/stats';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';

// A small, fast version of `pnpm bench`: it checks the benchmark code paths and their accounting, not speed.
describe('benchmark smoke run', () => {
  it('ingests through the store with every append acknowledged and the same bytes as a raw append', async () => {
    const experiences = benchmarkExperiences(200, false, 16);
    const store = await ingestThroughStore(experiences, 3_000, 500, { durability: 'batch' }, 'store');
    const validated = await ingestThroughStore(experiences, 3_000, 500, { durability: 'batch' }, 'store', 4, true);
    const raw = await ingestRawAppend(experiences, 3_000, 500, true, 'raw');
    const preEncoded = await ingestRawAppend(experiences, 3_000, 500, false, 'raw, pre-encoded', false);
    const serialised = serialiseOnly(experiences, 3_000, 'serialise only');
    expect(preEncoded.bytes).toBe(raw.bytes);
    expect(serialised.bytes).toBe(raw.bytes);
    expect(store.experiences).toBe(3_000);
    expect(store.bytes).toBe(raw.bytes);
    expect(validated.bytes).toBe(raw.bytes);
    expect(store.experiencesPerSecond).toBeGreaterThan(0);
  });

  it('computes stats over a written buffer, from summaries equal to the full scan, agreeing with a bare line count', async () => {
    const experiences = benchmarkExperiences(100, true, 16);
    const { dataDir, files } = await writeBuffer(experiences, 4_000);
    try {
      const count = await countLinesBare(files, 4_000);
      const { pass, stats } = await statsPass(dataDir, 4_000);
      const summaries = await summaryStatsPass(dataDir, 'summaries');
      expect(count.lines).toBe(4_000);
      expect(stats.totalExperiences).toBe(4_000);
      expect(stats.quarantined).toBe(0);
      expect(pass.heapSamples).toHaveLength(4);
      expect(summaries.report.stats).toEqual(stats);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('writes session files for learning-record: JSONL and one JSON array, distinct ids, cycled task descriptions', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'orchestra-bench-smoke-'));
    try {
      await writeSessionFile(path.join(directory, 's.jsonl'), 30, 'jsonl', 7);
      await writeSessionFile(path.join(directory, 'a.json'), 30, 'array');
      const lines = readFileSync(path.join(directory, 's.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { sessionId: string; task: { description: string } });
      const array = JSON.parse(readFileSync(path.join(directory, 'a.json'), 'utf8')) as { sessionId: string; task: { description: string } }[];
      expect(lines).toHaveLength(30);
      expect(new Set(lines.map((record) => record.sessionId)).size).toBe(30);
      expect(new Set(lines.map((record) => record.task.description)).size).toBe(7);
      expect(new Set(array.map((record) => record.task.description)).size).toBe(30);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
