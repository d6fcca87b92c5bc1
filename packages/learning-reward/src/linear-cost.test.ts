import { describe, expect, it } from 'vitest';
import { defaultRewardConfig, rewardConfigVersion } from './index';
import { rewardBounds, sessionReward } from './index';

const session = (costUsd: number) => ({
  workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'm', tokensUsed: 0, latencyMs: 0, success: true, estimatedCost: costUsd }] }],
  globalMetrics: { totalCostEstimate: costUsd, totalTokens: 0, totalAttempts: 1, avgLatencyMs: 0 },
  phase: 'completed',
});

describe('the linear cost term (cost.perUsd)', () => {
  it('is absent from the seed reward and leaves its fingerprint unchanged', () => {
    const reward = sessionReward(session(0.3));
    expect(reward.components).not.toHaveProperty('costUsd');
    expect(rewardConfigVersion(defaultRewardConfig)).toBe(reward.configVersion);
    expect(defaultRewardConfig.cost.perUsd).toBeUndefined();
  });

  it('adds perUsd × cost, capped at caps.costUsd with a note, and widens the bounds by exactly that range', () => {
    const config = { cost: { perUsd: -200 }, caps: { costUsd: 2 } };
    expect(sessionReward(session(0.5), config).components.costUsd).toBe(-100);
    const capped = sessionReward(session(3), config);
    expect(capped.components.costUsd).toBe(-400);
    expect(capped.capped).toEqual(['costUsd: 3 counted as 2']);
    const plain = rewardBounds().session;
    const withCost = rewardBounds(config).session;
    expect(withCost.max).toBe(plain.max);
    expect(withCost.min).toBe(plain.min - 400);
  });
});
