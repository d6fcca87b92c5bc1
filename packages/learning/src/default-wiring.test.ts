import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeExperienceStats, JsonlExperienceStore } from '@orchestra/learning-collector';
import { decisionSchema } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import type { DefaultLearningRuntime } from './default-runtime';
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
      // The mode pinned at start-up gives way to an explicit change in the same process.
      expect(learning.mode).toBe('production');
      expect(learning.modeSource).toBe('state-file');
      expect(learning.decide({ description: 'add a dark mode toggle' })).toMatchObject({ mode: 'production', source: 'learned' });
      const production = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 } });
      try {
        expect(production.mode).toBe('production');
        const learned = production.decide({ description: 'add a dark mode toggle to the settings page' });
        expect(learned).toMatchObject({ source: 'learned', arm: 'learned', policyVersion: 'default-1' });
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

  it('explores with the configured design, the rules and a user catalog alike, and refuses a bad one', async () => {
    const design = { share: 1, switchProbability: 0.4 };
    for (const models of [undefined, [{ id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap' as const, inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 }, { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid' as const, inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 }]]) {
      const root = await mkdtemp(join(tmpdir(), 'learning-design-'));
      const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, latencyBudgetMs: 1000, exploration: 1, explorationDesign: design, ...(models === undefined ? {} : { models }) } });
      try {
        expect((learning.runtime as DefaultLearningRuntime).router.rules.config.explorationDesign).toEqual(design);
        const decision = learning.decide({ description: 'refactor the billing module and its migrations', files: ['src/billing/a.ts', 'db/m.sql'] });
        expect(decision.propensity).toBeGreaterThan(0);
      } finally {
        await learning.close();
      }
    }
    await expect(createLearning({ cwd: await mkdtemp(join(tmpdir(), 'learning-design-')), env: {}, config: { explorationDesign: { share: 2, switchProbability: 0.4 } } })).rejects.toThrow(/explorationDesign/);
  });

  it('ingests sessions of another orchestrator, reconstructing the action when none is given', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-ingest-'));
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0 } });
    const tracker = new OrchestratorIntegration({ sessionId: 'external-1' });
    const plan = tracker.stepStarted({ agent: 'architect' });
    tracker.modelAttempt(plan, { model: 'kimi-k2.5', tokens: 500, latencyMs: 900, costUsd: 0.02, success: true });
    tracker.stepEnded(plan, 'completed');
    const code = tracker.stepStarted({ agent: 'executor' });
    tracker.modelAttempt(code, { model: 'glm-4.7', tokens: 500, latencyMs: 900, costUsd: 0.01, success: false, errorCode: 'TIMEOUT' });
    tracker.fallbackRotation(code);
    tracker.modelAttempt(code, { model: 'gpt-5.2-codex', tokens: 500, latencyMs: 900, costUsd: 0.05, success: true });
    tracker.stepEnded(code, 'completed');
    const session = tracker.finish();
    const action = { agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'strict', models: { executor: 'glm-4.7' } };
    const file = join(root, 'sessions.jsonl');
    await writeFile(file, `${JSON.stringify({ ...session, task: { description: 'feat: add CSV export to the reports page', files: ['web/src/reports.tsx'] } })}\n${JSON.stringify({ ...session, sessionId: 'external-2', action, propensity: 0.5 })}\n`);
    const { recorded, experiences } = await learning.ingestFile(file);
    await learning.close();
    expect(recorded).toBe(2);
    expect(experiences[0]).toMatchObject({ mode: 'shadow', propensity: 1, policy: { source: 'rules', version: 'external' }, sessionId: 'external-1' });
    expect(experiences[0]!.action).toMatchObject({ agents: ['architect', 'executor'], approach: 'sequential', retryStrategy: 'fallback', models: { architect: 'kimi-k2.5', executor: 'glm-4.7' } });
    expect(experiences[0]!.state.context.taskType).toBe('feature');
    expect(experiences[1]).toMatchObject({ propensity: 0.5, action: { safetyLevel: 'strict' } });
  });

  it('rebuilds the history of similar tasks from the buffer when it opens', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-history-'));
    const first = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0 } });
    let decision = first.decide({ description: 'fix: login crashes when the password is empty' });
    expect(decision.history).toBeUndefined();
    for (let index = 0; index < 3; index += 1) {
      decision = first.decide({ description: 'fix: login crashes when the password is empty' });
      const tracker = new OrchestratorIntegration();
      tracker.stepEnded(tracker.stepStarted({ agent: 'executor' }), 'completed');
      await first.record(tracker.finish(), decision);
    }
    await first.close();
    const restarted = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0 } });
    const again = restarted.decide({ description: 'fix: login crashes when the password is empty' });
    expect(again.history?.sampleWeight).toBeGreaterThan(2);
    expect(again.history?.successRate).toBeGreaterThan(0.5);
    await restarted.close();
    const cold = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, warmHistory: false } });
    expect(cold.decide({ description: 'fix: login crashes when the password is empty' }).history).toBeUndefined();
    await cold.close();
  });

  it('wires an orchestrator with startSession: decide, track events, complete and record', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-session-'));
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0 } });
    const session = learning.startSession({ description: 'feat: add a dark mode toggle to the settings page' });
    const step = session.stepStarted({ agent: 'executor' });
    session.modelAttempt(step, { model: session.decision.action.models.executor!, tokens: 700, latencyMs: 800, costUsd: 0.004, success: true });
    session.stepEnded(step, 'completed');
    const { experience } = await session.complete();
    await learning.close();
    expect(experience).toMatchObject({ sessionId: session.decision.sessionId, policy: { source: 'rules' }, outcome: { success: true } });
    expect(experience!.session?.globalMetrics.totalTokens).toBe(700);
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
