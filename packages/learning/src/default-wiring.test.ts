import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeExperienceStats, JsonlExperienceStore } from '@orchestra/learning-collector';
import { decisionSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';
import { writeTestModel } from './test-support/write-test-model';

describe('createLearning with the default runtime and collector', () => {
  it('decides from task text, records real experiences, and serves a deployed model in production', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-default-'));
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 } });
    try {
      const decision = learning.decide({ description: 'fix: login crashes when the password is empty', files: ['src/auth/login.ts'], sessionId: 'session-1' });
      expect(decisionSchema.safeParse(decision).success).toBe(true);
      expect(decision).toMatchObject({ source: 'rules', mode: 'shadow', sessionId: 'session-1' });
      expect(decision.context.taskType).toBe('bugfix');

      const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
      const step = tracker.stepStarted({ agent: 'executor' });
      tracker.modelAttempt(step, { model: decision.action.models.executor!, tokens: 900, latencyMs: 1200, costUsd: 0.01, success: true });
      tracker.stepEnded(step, 'completed');
      const result = await learning.record(tracker.finish(), decision);
      expect(result.experience).not.toBeNull();
      expect(result.experience!.state.context.taskType).toBe('bugfix');
      expect(result.experience!.task).toEqual({ description: 'fix: login crashes when the password is empty', files: ['src/auth/login.ts'] });

      await writeTestModel(join(root, 'model'), { version: 'default-1' });
      await learning.deploy(join(root, 'model'));
      await learning.setMode('production', { force: true });
      const production = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 } });
      try {
        expect(production.mode).toBe('production');
        const learned = production.decide({ description: 'add a dark mode toggle to the settings page' });
        expect(learned).toMatchObject({ source: 'learned', policyVersion: 'default-1' });
      } finally {
        await production.close();
      }
    } finally {
      await learning.close();
    }
    const store = await JsonlExperienceStore.open({ dataDir: join(root, 'data') });
    const stats = await computeExperienceStats(store.read());
    await store.close();
    expect(stats.totalExperiences).toBe(1);
  });

  it('records nothing in disabled mode', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-default-'));
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0 } });
    const decision = learning.decide({ description: 'docs: explain the config file' });
    const tracker = new OrchestratorIntegration();
    tracker.stepEnded(tracker.stepStarted({ agent: 'executor' }), 'completed');
    expect((await learning.record(tracker.finish(), decision)).experience).toBeNull();
    await learning.close();
  });
});
