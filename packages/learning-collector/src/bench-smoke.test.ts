import { describe, expect, it } from 'vitest';
import { benchmarkExperiences, ingestRawAppend, ingestThroughStore } from '../bench/ingest';
import { countLinesBare, statsPass, writeBuffer } from '../bench/stats';
import { rmSync } from 'node:fs';

// A small, fast version of `pnpm bench`: it checks the benchmark code paths and their accounting, not speed.
describe('benchmark smoke run', () => {
  it('ingests through the store with every append acknowledged and the same bytes as a raw append', async () => {
    const experiences = benchmarkExperiences(200, false, 16);
    const store = await ingestThroughStore(experiences, 3_000, 500, { durability: 'batch' }, 'store');
    const raw = await ingestRawAppend(experiences, 3_000, 500, true, 'raw');
    expect(store.experiences).toBe(3_000);
    expect(store.bytes).toBe(raw.bytes);
    expect(store.experiencesPerSecond).toBeGreaterThan(0);
  });

  it('computes stats over a written buffer, agreeing with a bare line count, heap sampled four times', async () => {
    const experiences = benchmarkExperiences(100, true, 16);
    const { dataDir, file } = await writeBuffer(experiences, 4_000);
    try {
      const count = await countLinesBare(file, 4_000);
      const { pass, stats } = await statsPass(dataDir, 4_000);
      expect(count.lines).toBe(4_000);
      expect(stats.totalExperiences).toBe(4_000);
      expect(stats.quarantined).toBe(0);
      expect(pass.heapSamples).toHaveLength(4);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
