import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLearning } from './learning-manager';

describe('createLearning({ reward })', () => {
  it('scores recorded sessions with the given reward, merged over the catalog\'s tiers', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'orchestra-reward-option-'));
    const models = [
      { id: 'small', provider: 'p', tier: 'cheap' as const, inputPricePer1kTokens: 0.001, outputPricePer1kTokens: 0.002 },
      { id: 'large', provider: 'p', tier: 'expensive' as const, inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.03 },
    ];
    const learning = await createLearning({ dataDir, cwd: dataDir, env: {}, mode: 'shadow', models, reward: { cost: { perUsd: -100 } }, config: { reloadIntervalMs: 0 } });
    try {
      expect(learning.rewardConfig).toEqual({ models, cost: { perUsd: -100 } });
      const run = learning.startSession({ description: 'fix the parser' });
      const step = run.stepStarted({ agent: 'executor' });
      run.modelAttempt(step, { model: 'small', tokens: 100, latencyMs: 10, costUsd: 0.25, success: true });
      run.stepEnded(step, 'completed');
      const { experience } = await run.complete();
      expect(experience?.reward.components.costUsd).toBe(-25);
      // The catalog's tiers still apply: a successful cheap-tier attempt earns the cheap-model bonus.
      expect(experience?.reward.components.cheapModelSuccesses).toBe(10);
    } finally {
      await learning.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
