import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace } from '@orchestra/learning-features';
import type { CatalogModel } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { loadVerifiedModel } from './deployment';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';

const threeModels: CatalogModel[] = [
  { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
  { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
  { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
];

const tasks = [
  'fix: login crashes when the password is empty',
  'feat: add CSV export to the reports page',
  'refactor the billing service into modules',
  'security: rotate the API keys and harden auth',
];

describe("the user's own model catalog", () => {
  it('carries a three-model catalog from orchestra.config.json through decide, record, reward, train, artifact and deploy', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-catalog-'));
    await writeFile(join(root, 'orchestra.config.json'), JSON.stringify({ models: threeModels }));
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, exploration: 0.5 } });
    try {
      expect(learning.catalog.models.map((model) => model.id)).toEqual(['gpt-4o-mini', 'claude-sonnet', 'o3']);
      const seen = new Set<string>();
      let cheapBonusSeen = false;
      for (let index = 0; index < 60; index += 1) {
        const decision = learning.decide({ description: tasks[index % tasks.length]!, sessionId: `catalog-${index}` });
        for (const model of Object.values(decision.action.models)) seen.add(model!);
        const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
        const step = tracker.stepStarted({ agent: 'executor' });
        const executor = decision.action.models.executor!;
        const success = index % 4 !== 0;
        tracker.modelAttempt(step, { model: executor, provider: 'openai', tokens: 1000, latencyMs: 2000, costUsd: 0.01, success });
        tracker.stepEnded(step, success ? 'completed' : 'failed');
        const { experience } = await learning.record(tracker.finish(), decision);
        // The tier rules read the catalog: a successful cheap-tier attempt earns the design's cheap bonus.
        if (executor === 'gpt-4o-mini' && success) {
          expect(experience?.reward.components.cheapModelSuccesses).toBe(10);
          cheapBonusSeen = true;
        }
      }
      expect(cheapBonusSeen).toBe(true);
      expect([...seen].every((model) => threeModels.some((known) => known.id === model))).toBe(true);

      const report = await learning.train({ output: join(root, 'model'), epochs: 1, allowFewExperiences: true, version: 'catalog-1' });
      expect(report.experiences).toBe(60);
      const artifact = await loadVerifiedModel(join(root, 'model'));
      const space = ActionSpace.fromJSON(artifact.manifest.actionSpace);
      expect(space.catalog.models).toEqual(threeModels);
      // The catalog is part of the artifact's action-space hash: another catalog gives another hash.
      expect(space.hash).toBe(learning.actionSpace.hash);
      expect(space.hash).not.toBe(new ActionSpace().hash);
      await expect(learning.deploy(join(root, 'model'), { force: true })).resolves.toMatchObject({ version: 'catalog-1' });
      expect(learning.runtime.modelVersion).toBe('catalog-1');
    } finally {
      await learning.close();
    }
    // An orchestrator with the default catalog refuses the model, naming both catalogs.
    const other = await createLearning({ cwd: await mkdtemp(join(tmpdir(), 'learning-catalog-')), env: {}, config: { reloadIntervalMs: 0 } });
    try {
      await expect(other.deploy(join(root, 'model'), { force: true })).rejects.toThrow(/trained on the models gpt-4o-mini, claude-sonnet, o3; this orchestrator's catalog is glm-4\.7/);
    } finally {
      await other.close();
    }
  });

  it('takes the catalog from createLearning({ models }) over the config file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-catalog-'));
    await writeFile(join(root, 'orchestra.config.json'), JSON.stringify({ models: threeModels }));
    const learning = await createLearning({ cwd: root, env: {}, models: [threeModels[0]!], config: { reloadIntervalMs: 0 } });
    try {
      expect(learning.catalog.models).toEqual([threeModels[0]]);
      expect(learning.decide({ description: 'feat: add a page' }).action.models.executor).toBe('gpt-4o-mini');
    } finally {
      await learning.close();
    }
  });
});
