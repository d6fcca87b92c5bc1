import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@orchestra/learning-features';
import { afterEach, describe, expect, it } from 'vitest';
import { createLearning, type LearningManager } from '../learning-manager';
import { OrchestratorIntegration } from '../orchestrator-integration';
import { writeTestModel } from '../test-support/write-test-model';

const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

const tasks = ['fix: login crashes when the password is empty', 'feat: add CSV export to the reports page', 'refactor the billing service into modules'];

/** Sessions whose executor call succeeds with `successOf(index, model, source)`; latency 2 s. */
async function run(learning: LearningManager, from: number, count: number, successOf: (index: number, model: string, source: string) => number, seed: number) {
  const random = createRng(seed);
  for (let index = from; index < from + count; index += 1) {
    const decision = learning.decide({ description: tasks[index % tasks.length]!, sessionId: `d-${index}` });
    const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
    const step = tracker.stepStarted({ agent: 'executor' });
    const model = decision.action.models.executor!;
    const success = random.next() < successOf(index, model, decision.source);
    tracker.modelAttempt(step, { model, tokens: 1000, latencyMs: 2000 + Math.round(random.next() * 400), costUsd: 0.01, success });
    tracker.stepEnded(step, success ? 'completed' : 'failed');
    await learning.record(tracker.finish(), decision);
  }
}

describe('drift detection and response', () => {
  it('finds a model whose success falls, raises exploration for it, and persists the event', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-drift-'));
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, exploration: 0.1, seed: 2, drift: { explorationSessions: 300 } } });
    managers.push(learning);
    await learning.setMode('shadow');
    const changeAt = 800;
    const changed = learning.decide({ description: tasks[0]!, sessionId: 'probe' }).action.models.executor!;
    await run(learning, 0, 1_200, (index, model) => (index >= changeAt && model === changed ? 0.2 : 0.8), 5);
    const status = await learning.status();
    const successDrops = status.drift.events.filter((event) => event.metric === 'success' && event.direction === 'down');
    expect(successDrops.length).toBeGreaterThanOrEqual(1);
    expect(successDrops[0]!.response).toBe('exploration');
    expect(successDrops[0]!.degraded).toBe(true);
    expect(successDrops[0]!.sessionsRecorded).toBeGreaterThan(changeAt);
    expect(successDrops[0]!.sessionsRecorded - changeAt).toBeLessThan(400);
    // No false alarm before the change.
    expect(status.drift.events.filter((event) => event.sessionsRecorded <= changeAt)).toEqual([]);
    expect(status.events.some((event) => event.message.startsWith('drift: ') && event.message.includes('exploration raised to 0.5'))).toBe(true);
  }, 60_000);

  it('sends the mode back to shadow when the learned arm falls behind the rules in ab_test', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-drift-arm-'));
    await writeTestModel(join(root, 'model'), { version: 'm1' });
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, exploration: 0.1, seed: 3, rollout: { sessionsPerStep: 100_000, autoRamp: false } } });
    managers.push(learning);
    await learning.deploy(join(root, 'model'), { force: true });
    await learning.setMode('ab_test', { fraction: 0.5, force: true });
    const changeAt = 500;
    await run(learning, 0, 1_000, (index, _model, source) => (source === 'learned' && index >= changeAt ? 0.2 : 0.75), 9);
    const status = await learning.status();
    const demotion = status.drift.events.find((event) => event.response === 'demoted-to-shadow');
    expect(demotion).toMatchObject({ subject: 'learned-arm', metric: 'learnedVsRules', direction: 'down', degraded: true });
    expect(demotion!.sessionsRecorded).toBeGreaterThan(changeAt);
    expect(status.mode).toBe('shadow');
    expect(status.deployed?.version).toBe('m1');
  }, 60_000);

  it('watches the models on the deployed model\'s own sessions in production, and goes back to ab_test when one gets worse', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-drift-production-'));
    await writeTestModel(join(root, 'model'), { version: 'm1' });
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, exploration: 0.1, seed: 4, drift: { explorationSessions: 300 } } });
    managers.push(learning);
    await learning.deploy(join(root, 'model'), { force: true });
    await learning.setMode('production', { force: true });
    const probe = learning.decide({ description: tasks[0]!, sessionId: 'probe' });
    expect(probe.source).toBe('learned');
    // The test model samples its executor among four models: this one runs about a quarter of the sessions.
    const changed = probe.action.models.executor!;
    const changeAt = 1_000;
    let learnedSessions = 0;
    await run(learning, 0, 1_500, (index, model, source) => {
      if (source === 'learned' && index < changeAt) learnedSessions += 1;
      return index >= changeAt && model === changed ? 0.2 : 0.8;
    }, 6);
    // The rules chose (almost) none of the sessions before the change: before, nothing watched the models in production.
    expect(learnedSessions).toBeGreaterThan(990);
    const status = await learning.status();
    const drop = status.drift.events.find((event) => event.metric === 'success' && event.subject === changed);
    expect(drop).toMatchObject({ direction: 'down', degraded: true, response: 'back-to-ab-test' });
    expect(drop!.sessionsRecorded).toBeGreaterThan(changeAt);
    expect(drop!.sessionsRecorded - changeAt).toBeLessThan(400);
    expect(status.drift.events.filter((event) => event.sessionsRecorded <= changeAt)).toEqual([]);
    expect(status.mode).toBe('ab_test');
    expect(status.deployed?.version).toBe('m1');
    expect(status.events.some((event) => event.message.includes("seen on the deployed model's sessions in production: mode ab_test"))).toBe(true);
  }, 60_000);

  it('stays in production on a model change when abTestOnModelDegradation is off (the event is still recorded)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-drift-production-off-'));
    await writeTestModel(join(root, 'model'), { version: 'm1' });
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, seed: 4, drift: { abTestOnModelDegradation: false } } });
    managers.push(learning);
    await learning.deploy(join(root, 'model'), { force: true });
    await learning.setMode('production', { force: true });
    const changed = learning.decide({ description: tasks[0]!, sessionId: 'probe' }).action.models.executor!;
    await run(learning, 0, 1_500, (index, model) => (index >= 1_000 && model === changed ? 0.2 : 0.8), 6);
    const status = await learning.status();
    expect(status.drift.events.find((event) => event.metric === 'success' && event.subject === changed)).toMatchObject({ degraded: true, response: 'exploration' });
    expect(status.mode).toBe('production');
  }, 60_000);

  it('can be turned off', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-drift-off-'));
    const learning = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, drift: { enabled: false } } });
    managers.push(learning);
    await learning.setMode('shadow');
    await run(learning, 0, 800, (index) => (index >= 400 ? 0.1 : 0.9), 4);
    expect((await learning.status()).drift.events).toEqual([]);
  }, 60_000);
});
