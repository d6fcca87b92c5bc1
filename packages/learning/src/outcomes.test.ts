import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeExperienceStats, JsonlExperienceStore } from '@orchestra/learning-collector';
import { createRng } from '@orchestra/learning-features';
import { afterEach, describe, expect, it } from 'vitest';
import { loadVerifiedModel } from './deployment';
import { createLearning, type LearningManager } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';
import { compareGreedyDecisions } from './reprice';
import { writeTestModel } from './test-support/write-test-model';

const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

const tasks = ['fix: login crashes when the password is empty', 'feat: add CSV export to the reports page', 'refactor the billing service into modules'];

async function recordedSessions(count: number, seed: number) {
  const root = await mkdtemp(join(tmpdir(), 'learning-outcomes-'));
  let now = Date.parse('2026-12-01T00:00:00.000Z');
  const learning = await createLearning({ cwd: root, env: {}, clock: () => now, config: { reloadIntervalMs: 0, exploration: 0.2, seed } });
  managers.push(learning);
  await learning.setMode('shadow');
  const random = createRng(seed);
  for (let index = 0; index < count; index += 1) {
    const decision = learning.decide({ description: tasks[index % tasks.length]!, sessionId: `s-${index}` });
    const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId, now: () => new Date(now) });
    for (const role of decision.action.agents) {
      const step = tracker.stepStarted({ agent: role });
      const success = random.next() < 0.7;
      tracker.modelAttempt(step, { model: decision.action.models[role]!, tokens: 2000, inputTokens: 1500, outputTokens: 500, latencyMs: 3000, costUsd: 0.01, success });
      tracker.stepEnded(step, success ? 'completed' : 'failed');
    }
    await learning.record(tracker.finish(), decision);
    now += 60_000;
  }
  return { root, learning, advance: (milliseconds: number) => (now += milliseconds) };
}

describe('LearningManager.amend (delayed outcomes)', () => {
  it('appends an event the reads join: the reward moves, the breakdown names the event, nothing stored changes', async () => {
    const { learning, advance } = await recordedSessions(12, 3);
    const stored = (await learning.experienceOf('s-4'))!;
    advance(3_600_000);
    const result = await learning.amend('s-4', { testsPassed: false, safetyViolations: 1 }, { eventId: 'ci-run-1', source: 'ci' });
    expect(result).toMatchObject({ duplicate: false, sessionStored: true, event: { id: 'ci-run-1', sessionId: 's-4', source: 'ci' } });
    const joined = (await learning.experienceOf('s-4'))!;
    expect(joined.reward.amendments).toEqual([
      { eventId: 'ci-run-1', timestamp: result.event.timestamp, changed: { testsPassed: { from: null, to: false }, safetyViolations: { from: 0, to: 1 } }, rewardDelta: -60 },
    ]);
    expect(joined.reward.total).toBeCloseTo(stored.reward.total - 60, 9);
    expect(joined.reward.original!.total).toBe(stored.reward.total);
    expect(await learning.experienceOf('s-4', { view: 'original' })).toEqual(stored);
    // Twice with the same event id: stored once, the same reward.
    expect((await learning.amend('s-4', { testsPassed: false, safetyViolations: 1 }, { eventId: 'ci-run-1' })).duplicate).toBe(true);
    expect((await learning.experienceOf('s-4'))!.reward.total).toBe(joined.reward.total);
    // Statistics (summaries or not) and the training input see the joined record.
    const store = await JsonlExperienceStore.open({ dataDir: learning.config.dataDir, readOnly: true });
    const stats = await store.stats();
    expect(stats.stats).toEqual(await computeExperienceStats(store.read()));
    const buffer = await learning.readBuffer();
    expect(buffer.find((experience) => experience.sessionId === 's-4')!.reward.total).toBe(joined.reward.total);
    expect(stats.stats.meanReward! * 12).toBeCloseTo(buffer.reduce((sum, experience) => sum + experience.reward.total, 0), 6);
  });

  it('keeps an outcome of a session not stored yet and joins it when the session is recorded', async () => {
    const { learning } = await recordedSessions(2, 4);
    const early = await learning.amend('later', { success: false, userEdits: 5 });
    expect(early.sessionStored).toBe(false);
    const decision = learning.decide({ description: tasks[0]!, sessionId: 'later' });
    const tracker = new OrchestratorIntegration({ sessionId: 'later' });
    const step = tracker.stepStarted({ agent: 'executor' });
    tracker.modelAttempt(step, { model: decision.action.models.executor!, tokens: 100, latencyMs: 10, costUsd: 0.001, success: true });
    tracker.stepEnded(step, 'completed');
    const recorded = await learning.record(tracker.finish(), decision);
    const joined = (await learning.experienceOf('later'))!;
    expect(joined.outcome).toMatchObject({ success: false, userEdits: 5 });
    expect(joined.reward.total).toBeLessThan(recorded.experience!.reward.total - 150);
  });

  it('refuses a patch without facts or with a bad count, naming the field', async () => {
    const { learning } = await recordedSessions(1, 5);
    await expect(learning.amend('s-0', {})).rejects.toThrow(/at least one field/);
    await expect(learning.amend('s-0', { userEdits: -2 })).rejects.toThrow(/userEdits/);
  });
});

describe('LearningManager.reprice', () => {
  it('re-costs every session from its tokens as a new reward version, keeps the stored figures, and can return to them', async () => {
    const { learning } = await recordedSessions(20, 6);
    const original = await learning.readBuffer({ view: 'original' });
    const tenfold = learning.catalog.models.map((model) => ({ ...model, inputPricePer1kTokens: model.inputPricePer1kTokens * 10, outputPricePer1kTokens: model.outputPricePer1kTokens * 10 }));
    const report = await learning.reprice({ models: tenfold, note: 'prices x10' });
    expect(report.version).toMatchObject({ prices: true, note: 'prices x10' });
    expect(report.before.meanCostUsd).toBeCloseTo(original.reduce((sum, experience) => sum + experience.outcome.totalCostUsd, 0) / 20, 12);
    // 1,500 input and 500 output tokens per call at ten times the catalog's prices.
    const priced = await learning.readBuffer();
    for (const experience of priced) {
      let expected = 0;
      for (const step of experience.session!.workflow) {
        for (const call of step.attempts) {
          const model = tenfold.find((entry) => entry.id === call.modelId)!;
          expected += (1500 * model.inputPricePer1kTokens + 500 * model.outputPricePer1kTokens) / 1000;
        }
      }
      expect(experience.outcome.totalCostUsd).toBeCloseTo(expected, 12);
      expect(experience.reward.rewardVersion).toBe(report.version!.id);
    }
    expect(report.after.meanCostUsd!).toBeGreaterThan(report.before.meanCostUsd!);
    expect(report.costsChanged).toBe(20);
    expect(report.decisions).toBeNull();
    expect(await learning.readBuffer({ view: 'original' })).toEqual(original);
    expect((await learning.status()).events.at(-1)!.message).toContain(report.version!.id);
    const reset = await learning.reprice({ reset: true });
    expect(reset.version).toBeNull();
    expect(reset.before.meanCostUsd).toBe(report.after.meanCostUsd);
    expect(reset.after.meanCostUsd).toBeCloseTo(report.before.meanCostUsd!, 12);
    expect(await learning.readBuffer()).toEqual(original);
  });

  it('changed reward weights re-score the history and training reads the version in force', async () => {
    const { learning } = await recordedSessions(10, 7);
    const report = await learning.reprice({ reward: { session: { completed: 300 } } });
    const completed = (await learning.readBuffer({ view: 'original' })).filter((experience) => experience.session!.phase === 'completed').length;
    expect(report.after.meanReward! - report.before.meanReward!).toBeCloseTo((200 * completed) / 10, 9);
    expect(await learning.currentRewardConfig()).toMatchObject({ session: { completed: 300 } });
  });
});

describe('LearningManager.reprice with retraining', () => {
  it("retrains on the new version, compares its greedy decisions with the deployed model's, and logs the shift for the report", async () => {
    const { learning, root } = await recordedSessions(60, 9);
    await writeTestModel(join(root, 'deployed'), { version: 'deployed-v1', seed: 3 });
    // Test setup: a model to compare against, deployed without the gate (the gate is not what is tested here).
    await learning.deploy(join(root, 'deployed'), { force: true });
    const tenfold = learning.catalog.models.map((model) => ({ ...model, inputPricePer1kTokens: model.inputPricePer1kTokens * 10, outputPricePer1kTokens: model.outputPricePer1kTokens * 10 }));
    const report = await learning.reprice({ models: tenfold, train: { output: join(root, 'retrained'), epochs: 2, recentTasks: 40 } });
    expect(report.decisions).toMatchObject({ deployedVersion: 'deployed-v1', compared: 40 });
    const decisions = report.decisions!;
    expect(decisions.changed).toBeGreaterThanOrEqual(0);
    expect(decisions.changed).toBeLessThanOrEqual(40);
    const last = (await learning.status()).events.at(-1)!.message;
    expect(last).toContain(`would change ${decisions.changed} of 40 recent greedy decisions of deployed-v1`);
    expect(last).toContain(decisions.retrainedVersion);
  }, 120_000);
});

describe('compareGreedyDecisions', () => {
  it('counts the recent tasks whose greedy action differs between two models, by part', async () => {
    const { learning, root } = await recordedSessions(30, 8);
    await writeTestModel(join(root, 'a'), { version: 'a', seed: 1 });
    await writeTestModel(join(root, 'b'), { version: 'b', seed: 2 });
    const experiences = await learning.readBuffer();
    const a = await loadVerifiedModel(join(root, 'a'));
    const same = compareGreedyDecisions(a, a, experiences);
    expect(same).toEqual({ compared: 30, changed: 0, byPart: {} });
    const other = compareGreedyDecisions(a, await loadVerifiedModel(join(root, 'b')), experiences);
    expect(other.changed).toBeGreaterThan(0);
    expect(Math.max(...Object.values(other.byPart))).toBeLessThanOrEqual(other.changed);
  });
});
