import type { Experience } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { HistoryIndex, type HistoryObservation } from './history-index';

const day = 24 * 3_600_000;

function observation(overrides: Partial<HistoryObservation> = {}): HistoryObservation {
  return {
    taskType: 'bugfix',
    primaryDomain: 'backend',
    timestampMs: 0,
    success: true,
    timeAccuracy: 1,
    resourceEfficiency: 0.8,
    reward: 1,
    modelAttempts: 4,
    modelFailures: 1,
    ...overrides,
  };
}

describe('HistoryIndex', () => {
  it('aggregates per task type × primary domain, shrunk towards a neutral prior', () => {
    const index = new HistoryIndex({ priorWeight: 1 });
    index.observe(observation());
    index.observe(observation({ success: false, timestampMs: 0 }));
    index.observe(observation({ taskType: 'docs', primaryDomain: 'documentation' }));
    const summary = index.summary('bugfix', 'backend');
    expect(summary.sampleWeight).toBe(2);
    expect(summary.successRate).toBeCloseTo((1 + 0.5) / 3, 10);
    expect(summary.modelErrorRate).toBeCloseTo(2 / 9, 10);
    expect(index.summary('feature', 'frontend')).toEqual({
      sampleWeight: 0,
      successRate: 0.5,
      timeAccuracy: 0.5,
      resourceEfficiency: 0.5,
      meanReward: 0,
      modelErrorRate: 0,
    });
  });

  it('decays old observations by the half-life, whatever the arrival order', () => {
    const forward = new HistoryIndex({ halfLifeMs: day, priorWeight: 0 });
    forward.observe(observation({ success: false, timestampMs: 0 }));
    forward.observe(observation({ success: true, timestampMs: day }));
    const backward = new HistoryIndex({ halfLifeMs: day, priorWeight: 0 });
    backward.observe(observation({ success: true, timestampMs: day }));
    backward.observe(observation({ success: false, timestampMs: 0 }));
    for (const index of [forward, backward]) {
      const summary = index.summary('bugfix', 'backend');
      expect(summary.sampleWeight).toBeCloseTo(1.5, 10);
      expect(summary.successRate).toBeCloseTo(1 / 1.5, 10);
    }
    expect(forward.summary('bugfix', 'backend', 3 * day).sampleWeight).toBeCloseTo(1.5 / 4, 10);
  });

  it('reads experiences and round-trips through JSON', () => {
    const index = new HistoryIndex();
    const experience = {
      timestamp: '2026-01-02T03:04:05.000Z',
      state: { context: { taskType: 'feature', domains: ['frontend', 'api'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 30, skills: [] } },
      reward: { total: 0.7, components: {}, capped: [] },
      outcome: {
        schemaVersion: 1,
        success: true,
        durationMs: 2_000,
        estimatedDurationMs: 1_000,
        resourceEfficiency: 0.9,
        errorCount: 0,
        userEdits: 0,
        safetyViolations: 0,
        testsPassed: true,
        totalCostUsd: 0.1,
        totalTokens: 100,
        fallbackRotations: 0,
        models: [{ model: 'glm-4.7', attempts: 3, successes: 2 }],
      },
    } satisfies Pick<Experience, 'timestamp' | 'outcome' | 'reward'> & { state: Pick<Experience['state'], 'context'> };
    index.update(experience);
    const summary = index.summary('feature', 'frontend');
    expect(summary.sampleWeight).toBe(1);
    expect(summary.timeAccuracy).toBeCloseTo((0.5 + 0.5) / 2, 10);
    expect(summary.modelErrorRate).toBeCloseTo(1 / 4, 10);
    const restored = HistoryIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    expect(restored.summary('feature', 'frontend')).toEqual(summary);
    expect(restored.toJSON()).toEqual(index.toJSON());
    expect(() => HistoryIndex.fromJSON({ version: 1, halfLifeMs: 1, priorWeight: 1, cells: [{ taskType: 'x' }] })).toThrow(/Invalid HistoryIndex/u);
    const undated = new HistoryIndex({ halfLifeMs: day, priorWeight: 0 });
    undated.observe(observation({ timestampMs: Number.NaN }));
    const undatedCopy = HistoryIndex.fromJSON(JSON.parse(JSON.stringify(undated.toJSON())));
    undatedCopy.observe(observation({ timestampMs: 10 * day, success: false }));
    expect(undatedCopy.summary('bugfix', 'backend').sampleWeight).toBe(2);
  });

  it('updates in constant time', () => {
    const index = new HistoryIndex();
    const item = observation();
    const started = performance.now();
    for (let count = 0; count < 200_000; count += 1) {
      item.timestampMs = count * 1000;
      index.observe(item);
    }
    const microseconds = ((performance.now() - started) * 1000) / 200_000;
    expect(microseconds).toBeLessThan(5);
    expect(index.summary('bugfix', 'backend').sampleWeight).toBeGreaterThan(1000);
  });
});
