import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Experience } from '@orchestra/learning-types';
import fc from 'fast-check';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { computeExperienceStats } from './experience-stats';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { listSegments } from './segment-files';
import { OPEN_SUMMARY_NAME, segmentSummaryName } from './segment-summary';
import { makeExperience } from './test-support/experience-factory';

const dataDirectory = useTemporaryDirectories('orchestra-store-stats-');

/** A valid experience whose sums are awkward for floating point (order-dependent in naive addition). */
function awkwardExperience(seed: number, index: number, reward: number, cost: number, minute: number): Experience {
  const base = makeExperience(seed, index, { withSession: index % 3 !== 0, featureCount: 4 });
  return {
    ...base,
    id: `exp-${seed}-${index}`,
    sessionId: `session-${seed}-${index}`,
    // Repeated instants (the first seen must win in both computations) written with different offsets.
    timestamp: index % 2 === 0 ? new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() : `2026-01-01T01:${String(minute).padStart(2, '0')}:00.000+01:00`,
    reward: { ...base.reward, total: reward },
    outcome: { ...base.outcome, totalCostUsd: cost },
  };
}

const hostileLines = ['{"truncated": ', '[1,2,3]', '{"__proto__": {"polluted": true}}', 'not json at all', '{"id": 5}'];

describe('JsonlExperienceStore.stats (segment summaries)', () => {
  it('agrees exactly with a full scan on random buffers: rotations, compression, bad lines, lost and damaged summaries', async () => {
    const step = fc.record({
      count: fc.integer({ min: 0, max: 40 }),
      hostile: fc.option(fc.integer({ min: 0, max: hostileLines.length - 1 }), { nil: undefined }),
      damage: fc.constantFrom('none', 'none', 'delete-summary', 'corrupt-summary', 'delete-open', 'corrupt-open'),
      statsNow: fc.boolean(),
      // Outcomes arriving later: for stored sessions, for sessions not stored yet (orphans), repeated event ids.
      amend: fc.option(fc.record({ target: fc.integer({ min: 1, max: 300 }), patch: fc.constantFrom<Record<string, unknown>>({ success: false }, { success: true }, { testsPassed: false }, { userEdits: 4 }, { safetyViolations: 1 }), repeat: fc.boolean() }), { nil: undefined }),
      reprice: fc.constantFrom('none', 'none', 'none', 'weights', 'reset'),
    });
    const scenario = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      compress: fc.boolean(),
      segmentMaxBytes: fc.constantFrom(16 * 1024, 48 * 1024, 1024 * 1024),
      rewards: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 16 }),
      costs: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 16 }),
      steps: fc.array(step, { minLength: 1, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ seed, compress, segmentMaxBytes, rewards, costs, steps }) => {
        const dataDir = dataDirectory();
        const config = { dataDir, segmentMaxBytes, compressRotatedSegments: compress };
        let index = 0;
        let events = 0;
        let anyJoin = false;
        for (const { count, hostile, damage, statsNow, amend, reprice } of steps) {
          const store = await JsonlExperienceStore.open(config);
          if (amend !== undefined) {
            const id = amend.repeat && events > 0 ? `event-${events}` : `event-${(events += 1)}`;
            await store.outcomeEvents().append([{ schemaVersion: 1, id, sessionId: `session-${seed}-${amend.target}`, timestamp: new Date(Date.UTC(2026, 1, 1, 0, events)).toISOString(), patch: amend.patch }]);
            anyJoin = true;
          }
          if (reprice === 'weights') await store.rewardVersions().setCurrent({ reward: { experience: { success: 150 } } });
          if (reprice === 'reset') await store.rewardVersions().setCurrent(null);
          const batch = Array.from({ length: count }, () => {
            index += 1;
            return awkwardExperience(seed, index, rewards[index % rewards.length]!, costs[index % costs.length]!, index % 7);
          });
          // Appended in small groups so segments rotate between commits.
          for (let start = 0; start < batch.length; start += 8) await store.append(batch.slice(start, start + 8));
          await store.close();
          if (hostile !== undefined) await fs.appendFile(store.activePath, `${hostileLines[hostile]}\n`);
          const segments = (await listSegments(store.directory)).filter((segment) => !segment.active);
          const victim = segments[seed % Math.max(1, segments.length)];
          if (damage === 'delete-summary' && victim !== undefined) await fs.rm(path.join(store.directory, segmentSummaryName(victim.sequence)), { force: true });
          if (damage === 'corrupt-summary' && victim !== undefined) {
            const file = path.join(store.directory, segmentSummaryName(victim.sequence));
            const text = await fs.readFile(file, 'utf8').catch(() => undefined);
            if (text !== undefined) await fs.writeFile(file, text.replace(/"count":(\d)/, '"count":9$1'));
          }
          if (damage === 'delete-open') await fs.rm(path.join(store.directory, OPEN_SUMMARY_NAME), { force: true });
          if (damage === 'corrupt-open') await fs.writeFile(path.join(store.directory, OPEN_SUMMARY_NAME), '{"checksum":"0","body":');
          if (statsNow) {
            const reader = await JsonlExperienceStore.open(config);
            const fromSummaries = await reader.stats();
            const scanned = await computeExperienceStats(reader.read());
            // Without events or a reward version the summaries answer; with them the joined records are scanned.
            if (!anyJoin && (await reader.rewardVersions().current()) === null) expect(fromSummaries.method).toBe('summaries');
            expect(fromSummaries.stats).toEqual(scanned);
            await reader.close();
          }
        }
        const finalStore = await JsonlExperienceStore.open(config);
        const first = await finalStore.stats();
        const scanned = await computeExperienceStats(finalStore.read());
        expect(first.stats).toEqual(scanned);
        expect(first.stats.totalExperiences).toBe(index);
        // Re-indexed once: a second call finds every summary and reads nothing but new lines (there are none).
        const second = await finalStore.stats();
        expect(second.reindexed).toEqual([]);
        expect(second.scannedBytes).toBe(0);
        expect(second.stats).toEqual(scanned);
        // The joined view moves nothing but rewards and successes: counts and costs of the stored records stay.
        const original = await computeExperienceStats(finalStore.read({ view: 'original' }));
        expect(second.stats.totalExperiences).toBe(original.totalExperiences);
        if ((await finalStore.rewardVersions().current()) === null) expect(second.stats.totalCostUsd).toBe(original.totalCostUsd);
        await finalStore.close();
      }),
      { seed: 1717, numRuns: 12 },
    );
  }, 120_000);

  it('says which segments it re-indexed and why, once', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir, segmentMaxBytes: 16 * 1024, compressRotatedSegments: false });
    for (let index = 0; index < 60; index += 1) await store.append(makeExperience(5, index));
    await store.close();
    const segments = (await listSegments(store.directory)).filter((segment) => !segment.active);
    expect(segments.length).toBeGreaterThan(2);
    await fs.rm(path.join(store.directory, segmentSummaryName(segments[0]!.sequence)));
    await fs.writeFile(path.join(store.directory, segmentSummaryName(segments[1]!.sequence)), 'garbage');
    // A summary replaced by a symlink (to a FIFO here: reading it would hang) is damage, never followed.
    const fifo = path.join(dataDir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await fs.rm(path.join(store.directory, segmentSummaryName(segments[2]!.sequence)));
    await fs.symlink(fifo, path.join(store.directory, segmentSummaryName(segments[2]!.sequence)));
    const reader = await JsonlExperienceStore.open({ dataDir, readOnly: true });
    const readOnlyReport = await reader.stats();
    expect(readOnlyReport.reindexed).toEqual([
      { segment: segments[0]!.name, problem: 'missing' },
      { segment: segments[1]!.name, problem: 'damaged' },
      { segment: segments[2]!.name, problem: 'damaged' },
    ]);
    expect(readOnlyReport.saved).toBe(false);
    const writer = await JsonlExperienceStore.open({ dataDir });
    const report = await writer.stats();
    expect(report.reindexed.map((entry) => entry.segment)).toEqual([segments[0]!.name, segments[1]!.name, segments[2]!.name]);
    expect(report.saved).toBe(true);
    expect((await writer.stats()).reindexed).toEqual([]);
    expect(report.stats.totalExperiences).toBe(60);
    await writer.close();
  });

  it('falls back to a scan for a filter', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const experiences = Array.from({ length: 30 }, (_, index) => makeExperience(9, index));
    await store.append(experiences);
    const report = await store.stats({ filter: { modes: ['shadow'] } });
    expect(report.method).toBe('scan');
    expect(report.stats.totalExperiences).toBe(experiences.filter((experience) => experience.mode === 'shadow').length);
    await store.close();
  });
});
