import { describe, expect, it } from 'vitest';
import { defaultRewardConfig } from './config';
import { rewardConfigVersion } from './components';
import { experienceReward } from './experience-reward';

const outcome = {
  success: true,
  durationMs: 60_000,
  estimatedDurationMs: 45_000,
  resourceEfficiency: 0.8,
  errorCount: 0,
  userEdits: 1,
  safetyViolations: 0,
  testsPassed: true,
  totalCostUsd: 0.05,
  fallbackRotations: 0,
  models: [
    { model: 'glm-4.7', attempts: 2, successes: 1 },
    { model: 'claude-opus', attempts: 1, successes: 1 },
  ],
};

describe('experienceReward', () => {
  it('adds the task-level terms and the cost terms', () => {
    const reward = experienceReward(outcome);
    expect(reward.components).toEqual({
      outcome: 100,
      timeEfficiency: 15,
      resourceEfficiency: 8,
      errors: 15,
      userSatisfaction: 5,
      safety: 10,
      tests: 5,
      sessionCost: 50,
      cheapModelSuccesses: 10,
      expensiveModelOveruse: 0,
      fallbackRotations: 0,
    });
    expect(reward.total).toBe(218);
  });

  it('stamps the reward definition and the version of the configuration that scored it', () => {
    const reward = experienceReward(outcome);
    expect(reward.kind).toBe('outcome');
    expect(reward.configVersion).toMatch(/^[0-9a-f]{8}$/);
    expect(reward.configVersion).toBe(rewardConfigVersion(defaultRewardConfig));
    const changed = { ...defaultRewardConfig, experience: { ...defaultRewardConfig.experience, success: 101 } };
    const other = experienceReward(outcome, changed);
    expect(other.configVersion).not.toBe(reward.configVersion);
    // The version depends on the content, not on key order or object identity.
    expect(experienceReward(outcome, JSON.parse(JSON.stringify(changed))).configVersion).toBe(other.configVersion);
  });

  it('caps time efficiency at the configured ratio and counts −50 per safety violation', () => {
    const reward = experienceReward({ ...outcome, durationMs: 10_000, safetyViolations: 2, errorCount: 3, userSatisfaction: 0.2 });
    expect(reward.components).toMatchObject({ timeEfficiency: 20, safety: -100, errors: -30, userSatisfaction: 2 });
  });

  it('names the field of a bad outcome', () => {
    expect(() => experienceReward({ ...outcome, resourceEfficiency: 1.5 })).toThrowError(/resourceEfficiency/);
  });
});
