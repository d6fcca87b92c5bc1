import { parseOutcome } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { experienceReward } from './experience-reward';
import { applyOutcomePatch, outcomeRewardDelta } from './outcome-patch';

const outcome = parseOutcome({ success: true, durationMs: 60_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.5, errorCount: 0, totalCostUsd: 0.05, userSatisfaction: 0.9 });

describe('applyOutcomePatch', () => {
  it('replaces the facts it names and reports only what changed', () => {
    const { outcome: next, changed } = applyOutcomePatch(outcome, { success: true, testsPassed: false, safetyViolations: 2 });
    expect(changed).toEqual({ testsPassed: { from: null, to: false }, safetyViolations: { from: 0, to: 2 } });
    expect(next).toEqual({ ...outcome, testsPassed: false, safetyViolations: 2 });
    expect(outcome.safetyViolations).toBe(0);
  });

  it('lets later user edits decide satisfaction (a stated satisfaction is dropped)', () => {
    const { outcome: next, changed } = applyOutcomePatch(outcome, { userEdits: 4 });
    expect(changed).toEqual({ userEdits: { from: 0, to: 4 }, userSatisfaction: { from: 0.9, to: null } });
    expect(next.userSatisfaction).toBeUndefined();
    expect(experienceReward(next).components.userSatisfaction).toBeCloseTo(10 / 5, 12);
  });

  it('prices a change by the task-level reward: failure −200, tests passed +5, a violation −60', () => {
    const failed = applyOutcomePatch(outcome, { success: false }).outcome;
    expect(outcomeRewardDelta(outcome, failed)).toBe(-200);
    expect(outcomeRewardDelta(outcome, applyOutcomePatch(outcome, { testsPassed: true }).outcome)).toBe(5);
    expect(outcomeRewardDelta(outcome, applyOutcomePatch(outcome, { safetyViolations: 1 }).outcome)).toBe(-60);
    expect(outcomeRewardDelta(outcome, outcome)).toBe(0);
  });
});
