import type { Experience } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { computeExperienceStats } from './experience-stats';
import { MemoryExperienceStore } from './memory-experience-store';
import { makeExperience } from './test-support/experience-factory';

/** Brute-force reference: the same figures computed with everything in memory. */
function referenceStats(experiences: Experience[]) {
  const successRate = experiences.filter((experience) => experience.outcome.success).length / experiences.length;
  const meanReward = experiences.reduce((sum, experience) => sum + experience.reward.total, 0) / experiences.length;
  const taskTypeCounts: Record<string, number> = {};
  for (const experience of experiences) taskTypeCounts[experience.state.context.taskType] = (taskTypeCounts[experience.state.context.taskType] ?? 0) + 1;
  const latencies = new Map<string, number[]>();
  const attempts = new Map<string, number>();
  const errors = new Map<string, Record<string, number>>();
  for (const experience of experiences) {
    if (experience.session === undefined) {
      for (const model of experience.outcome.models) attempts.set(model.model, (attempts.get(model.model) ?? 0) + model.attempts);
      continue;
    }
    for (const step of experience.session.workflow) {
      for (const usage of step.attempts) {
        attempts.set(usage.modelId, (attempts.get(usage.modelId) ?? 0) + 1);
        const list = latencies.get(usage.modelId) ?? [];
        list.push(usage.latencyMs);
        latencies.set(usage.modelId, list);
        if (usage.errorCode !== undefined) {
          const codes = errors.get(usage.modelId) ?? {};
          codes[usage.errorCode] = (codes[usage.errorCode] ?? 0) + 1;
          errors.set(usage.modelId, codes);
        }
      }
    }
  }
  return { successRate, meanReward, taskTypeCounts, latencies, attempts, errors };
}

describe('computeExperienceStats', () => {
  it('matches a brute-force computation: totals, groups, per-model attempts, error codes and latency quantiles', async () => {
    const experiences = Array.from({ length: 2_000 }, (_, index) => makeExperience(11, index, { withSession: index % 3 !== 0 }));
    const store = new MemoryExperienceStore();
    await store.append(experiences);
    const stats = await computeExperienceStats(store.read());
    const reference = referenceStats(experiences);
    expect(stats.totalExperiences).toBe(2_000);
    expect(stats.successRate).toBeCloseTo(reference.successRate, 12);
    expect(stats.meanReward).toBeCloseTo(reference.meanReward, 12);
    expect(Object.fromEntries(Object.entries(stats.byTaskType).map(([key, group]) => [key, group.count]))).toEqual(reference.taskTypeCounts);
    const domainTotal = Object.values(stats.byDomain).reduce((sum, group) => sum + group.count, 0);
    expect(domainTotal).toBe(2_000);
    expect(Object.values(stats.bySource).reduce((sum, group) => sum + group.count, 0)).toBe(2_000);
    expect(Object.keys(stats.byMode).sort()).toEqual(['ab_test', 'production', 'shadow']);
    for (const [model, modelStats] of Object.entries(stats.byModel)) {
      expect(modelStats.attempts).toBe(reference.attempts.get(model));
      expect(modelStats.errorCodes).toEqual(reference.errors.get(model) ?? {});
      const sorted = [...reference.latencies.get(model)!].sort((left, right) => left - right);
      const exactMedian = sorted[Math.floor(sorted.length / 2)]!;
      const exactTail = sorted[Math.floor(sorted.length * 0.95)]!;
      expect(Math.abs(modelStats.latencyMs!.p50! - exactMedian) / exactMedian).toBeLessThan(0.05);
      expect(Math.abs(modelStats.latencyMs!.p95! - exactTail) / exactTail).toBeLessThan(0.05);
    }
    const rotations = Object.values(stats.byModel).reduce((sum, model) => sum + model.fallbackRotations, 0);
    const sessionRotations = experiences.filter((experience) => experience.session !== undefined).reduce((sum, experience) => sum + experience.outcome.fallbackRotations, 0);
    expect(rotations).toBe(sessionRotations);
    expect(stats.fallbackRotations).toBe(experiences.reduce((sum, experience) => sum + experience.outcome.fallbackRotations, 0));
    expect(stats.quarantined).toBe(0);
  });

  it('keeps the contract keys and reports an empty buffer with null rates', async () => {
    const stats = await computeExperienceStats([]);
    expect(Object.keys(stats)).toEqual(
      expect.arrayContaining(['totalExperiences', 'meanReward', 'successRate', 'byTaskType', 'byDomain', 'byModel', 'bySource', 'byMode', 'quarantined']),
    );
    expect(stats).toMatchObject({ totalExperiences: 0, meanReward: null, successRate: null, quarantined: 0, byModel: {} });
  });

  it('takes per-model attempts from outcome.models when the experience has no session', async () => {
    const experience = makeExperience(12, 0, { withSession: false });
    const stats = await computeExperienceStats([experience]);
    for (const model of experience.outcome.models) {
      expect(stats.byModel[model.model]).toMatchObject({ attempts: model.attempts, successes: model.successes, latencyMs: null, tokens: 0 });
    }
  });
});
