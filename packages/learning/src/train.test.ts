import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVerifiedModel } from './deployment';
import { createLearning, type LearningManager } from './learning-manager';
import type { LearningDecision } from './learning-runtime';
import { OrchestratorIntegration } from './orchestrator-integration';
import { makeExperience } from './test-support/make-experience';

const tasks = [
  'fix: login crashes when the password is empty',
  'feat: add CSV export to the reports page',
  'docs: explain the configuration file',
  'refactor the billing service into modules',
  'security: rotate the API keys and harden auth',
  'perf: speed up the search query on large tables',
];

/** Decides and records 80 one-step shadow sessions (`<prefix>-<index>`), each succeeding when `succeeds` says so. */
async function recordSessions(learning: LearningManager, prefix: string, succeeds: (decision: LearningDecision, index: number) => boolean): Promise<void> {
  for (let index = 0; index < 80; index += 1) {
    const decision = learning.decide({ description: tasks[index % tasks.length]!, sessionId: `${prefix}-${index}` });
    const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
    const step = tracker.stepStarted({ agent: 'executor' });
    const success = succeeds(decision, index);
    tracker.modelAttempt(step, { model: decision.action.models.executor!, tokens: 1000, latencyMs: 2000, costUsd: 0.02, success });
    tracker.stepEnded(step, success ? 'completed' : 'failed');
    await learning.record(tracker.finish(), decision);
  }
}

describe('LearningManager.train (with the trainer installed)', () => {
  it('trains from the buffer, evaluates against the rules on held-out logs, and writes a deployable artifact', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-train-'));
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, exploration: 0.5 } });
    try {
      // A world where strict safety pays: the logged rewards depend on the action.
      await recordSessions(learning, 'train', (decision, index) => decision.action.safetyLevel === 'strict' || index % 3 === 0);
      const progress: number[] = [];
      const report = await learning.train({
        output: join(root, 'model'),
        epochs: 2,
        allowFewExperiences: true,
        version: 'trained-1',
        // The importance-sampling gate (the default q-distillation objective has a critic and so a doubly robust one).
        trainerConfig: { offline: { objective: 'importance-weighted' } },
        onProgress: (update) => progress.push(update.epoch),
      });
      expect(report).toMatchObject({ version: 'trained-1', experiences: 80, epochs: expect.any(Number) });
      expect(report.trainingSize + report.validationSize).toBe(80);
      expect(progress.length).toBeGreaterThan(0);
      expect(report.metricsPath).toContain(join(root, 'data', 'metrics'));
      const artifact = await loadVerifiedModel(join(root, 'model'));
      expect(artifact.manifest.version).toBe('trained-1');
      // The prediction head travels with the policy: expected duration, cost and success of each decision.
      expect(artifact.manifest.prediction?.outputs.map((output) => output.name)).toEqual(['durationMs', 'costUsd', 'successProbability']);
      // 80 logged sessions leave 16 held out: too few for an estimate, and the report says why (seeds are pinned).
      expect(report).toMatchObject({ ope: null, beatsRules: null });
      expect(report.opeError).toMatch(/^Cannot evaluate policy "trained-1" on these logs: .*collect logs with more exploration/);
      expect(artifact.manifest.ope).toEqual({ error: report.opeError });
      await expect(learning.deploy(join(root, 'model'))).rejects.toThrow(/could not be evaluated against the rules.*rule ope-gate/);
      await expect(learning.deploy(join(root, 'model'), { force: true })).resolves.toMatchObject({ version: 'trained-1', forced: true, beatsRules: null });
      expect(learning.runtime.modelVersion).toBe('trained-1');
    } finally {
      await learning.close();
    }
  });

  it('judges a q-distillation candidate (the default) with the doubly robust critic gate, which refuses on thin logs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-train-dr-'));
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, exploration: 0.5 } });
    try {
      await recordSessions(learning, 'dr', (_decision, index) => index % 2 === 0);
      const report = await learning.train({ output: join(root, 'model'), epochs: 2, allowFewExperiences: true, version: 'dr-1' });
      // Valued on every log whose reward did not choose the candidate's actions: the 16 held out and the gate's half
      // of the 64 training rows (`gateEvaluation: 'independent'`).
      expect(report.ope).toMatchObject({ estimator: 'doubly-robust', directMethod: 'linear-critic', sampleSize: report.validationSize + Math.ceil(report.trainingSize / 2) });
      // Rewards that do not depend on the action: nothing to gain, and 48 sessions cannot show a gain anyway.
      expect(report.beatsRules).toBe(false);
      expect(report.critic).toMatchObject({ changedShare: expect.any(Number) });
      await expect(learning.deploy(join(root, 'model'))).rejects.toThrow(/did not beat the rules.*rule ope-gate/);
    } finally {
      await learning.close();
    }
  });

  it('refuses to train on fewer than 50 experiences without the override', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-train-'));
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0 } });
    const few = Array.from({ length: 10 }, (_, index) => makeExperience(index));
    await expect(learning.train({ output: join(root, 'model'), experiences: few })).rejects.toThrow(/Refusing to train on 10 experiences: at least 50/);
    await learning.close();
  });
});
