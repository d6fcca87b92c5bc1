import { describe, expect, it } from 'vitest';
import { computeExperienceStats } from './experience-stats';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { makeExperience } from './test-support/experience-factory';
import { createTemporaryDirectory } from './test-support/temporary-directory';

describe('reads racing rotations', () => {
  it('neither loses nor repeats an acknowledged experience while segments rotate and compress under reads and stats', async () => {
    const { directory, remove } = createTemporaryDirectory('orchestra-rotation-race-');
    // 4 KiB segments: every commit rotates, and the previous segment is compressed in the background — the window
    // between a reader opening the active segment and listing the others is hit over and over.
    const writer = await JsonlExperienceStore.open({ dataDir: directory, segmentMaxBytes: 4 * 1024, durability: 'none' });
    let written = 0;
    let stop = false;
    const writing = (async () => {
      while (!stop) {
        await writer.append([0, 1].map((offset) => ({ ...makeExperience(77, written + offset), id: `race-${written + offset}` })));
        written += 2;
      }
    })();
    try {
      const reader = await JsonlExperienceStore.open({ dataDir: directory, readOnly: true });
      let reads = 0;
      const deadline = Date.now() + 2_500;
      while (Date.now() < deadline || reads < 5) {
        const acknowledged = written;
        const ids: string[] = [];
        for await (const batch of reader.read().batches()) for (const experience of batch) ids.push(experience.id);
        expect(new Set(ids).size).toBe(ids.length);
        const present = new Set(ids);
        expect(Array.from({ length: acknowledged }, (_, index) => `race-${index}`).filter((id) => !present.has(id))).toEqual([]);
        const before = written;
        const { stats } = await reader.stats();
        expect(stats.totalExperiences).toBeGreaterThanOrEqual(before);
        expect(stats.totalExperiences).toBeLessThanOrEqual(written);
        reads += 1;
      }
    } finally {
      stop = true;
      await writing;
      await writer.close();
    }
    try {
      const final = await JsonlExperienceStore.open({ dataDir: directory, readOnly: true });
      const fromSummaries = (await final.stats()).stats;
      expect(fromSummaries).toEqual(await computeExperienceStats(final.read()));
      expect(fromSummaries.totalExperiences).toBe(written);
    } finally {
      remove();
    }
  }, 30_000);
});
