import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelArtifactError, type ModelArtifact } from '@orchestra/learning-policy';
import type { Decision, EnhancedSessionState, TaskContext } from '@orchestra/learning-types';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutRuleError, TrainerUnavailableError } from './errors';
import { createLearning, type LearningManager } from './learning-manager';
import type { LearningRuntime, PolicyInput, Routing } from './learning-runtime';
import { writeTestModel } from './test-support/write-test-model';

/** A runtime whose learned policy answers whenever a model is loaded and the routing sends the session to it. */
class FakeRuntime implements LearningRuntime {
  model: ModelArtifact | null = null;
  readonly routings: Routing[] = [];
  get modelVersion() {
    return this.model?.manifest.version ?? null;
  }
  inferContext(task: { description: string }): TaskContext {
    return { taskType: task.description.includes('fix') ? 'bugfix' : 'feature', domains: ['backend'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 30, skills: [] };
  }
  decide(_input: PolicyInput, routing: Routing): Decision {
    this.routings.push(routing);
    const learned = this.model !== null && (routing.mode === 'production' || (routing.mode === 'ab_test' && routing.abFraction >= 1));
    return {
      action: { skills: [], agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models: { executor: 'glm-4.7' } },
      propensity: 1,
      source: learned ? 'learned' : 'rules',
      policyVersion: learned ? this.model!.manifest.version : 'rules-1',
      explanation: [],
    };
  }
  setModel(artifact: ModelArtifact | null) {
    this.model = artifact;
  }
  candidate: ModelArtifact | null = null;
  setCandidate(artifact: ModelArtifact | null) {
    this.candidate = artifact;
  }
}

function finishedSession(phase: 'completed' | 'failed', cost = 0.05): EnhancedSessionState {
  return {
    schemaVersion: 2,
    workflow: [{ id: 'a', agentRole: 'executor', status: phase === 'completed' ? 'completed' : 'failed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: phase === 'completed', estimatedCost: cost, costSource: 'provider', attempt: 1 }] }],
    globalMetrics: { totalCostEstimate: cost, totalTokens: 10, totalAttempts: 1, avgLatencyMs: 5, fallbackRotations: 0, modelUsageCounts: {} },
    phase,
  };
}

const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

async function setup(options: { reloadIntervalMs?: number; sessionsPerStep?: number; autoPromote?: boolean; mode?: 'ab_test' } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'learning-manager-'));
  const open = async (runtime = new FakeRuntime()) => {
    const manager = await createLearning({
      cwd: root,
      env: {},
      runtime,
      config: {
        reloadIntervalMs: options.reloadIntervalMs ?? 0,
        ...(options.mode === undefined ? {} : { mode: options.mode }),
        rollout: { sessionsPerStep: options.sessionsPerStep ?? 2, abTestSessionsBeforeProduction: 4, autoPromote: options.autoPromote ?? false },
      },
    });
    managers.push(manager);
    return { manager, runtime };
  };
  return { root, open };
}

/** A deploy-gate comparison in a manifest's `ope`: learned − rules = `value` ± 3. */
function comparisonOf(value: number, beats = value - 3 > 0) {
  return {
    estimator: 'doubly-robust',
    sampleSize: 400,
    target: { value: 100 + value, lower: 95 + value, upper: 105 + value },
    baseline: { policy: 'rules', value: 100, lower: 95, upper: 105 },
    difference: { value, lower: value - 3, upper: value + 3 },
    targetBeatsBaseline: beats,
  };
}

describe('LearningManager', () => {
  it('stores a session once: a second record of its id is skipped and reported, also by a new manager', async () => {
    const { open } = await setup();
    const { manager } = await open();
    await manager.setMode('shadow');
    const decision = manager.decide({ description: 'add a feature', sessionId: 'once' });
    expect((await manager.record(finishedSession('completed'), decision)).experience).not.toBeNull();
    expect(await manager.record(finishedSession('completed'), decision)).toMatchObject({ experience: null, skipped: 'duplicate-session' });
    const { manager: restarted } = await open();
    const report = await restarted.ingest([{ session: { ...finishedSession('completed'), sessionId: 'once' } }, { session: { ...finishedSession('failed'), sessionId: 'new' } }]);
    expect(report).toMatchObject({ recorded: 1, skipped: ['once'] });
  });

  it('decides with the inferred context and the mode in force, and persists mode changes', async () => {
    const { open } = await setup();
    const { manager, runtime } = await open();
    const decision = manager.decide({ description: 'fix the login bug', sessionId: 'abc' });
    expect(decision).toMatchObject({ source: 'rules', mode: 'disabled', sessionId: 'abc', context: { taskType: 'bugfix' }, task: { description: 'fix the login bug', files: [] } });
    await manager.setMode('shadow');
    expect(manager.mode).toBe('shadow');
    const { manager: other } = await open();
    expect(other.mode).toBe('shadow');
    expect((await other.status()).modeSource).toBe('state-file');
    expect(runtime.routings[0]).toEqual({ mode: 'disabled', abFraction: 0.1 });
  });

  it('deploys only a model that beat the rules unless forced, and rolls back in one step', async () => {
    const { root, open } = await setup();
    const { manager, runtime } = await open();
    await writeTestModel(join(root, 'good'), { version: 'good-1' });
    await writeTestModel(join(root, 'worse'), { version: 'worse-1', ope: { targetBeatsBaseline: false } });
    await writeTestModel(join(root, 'unevaluated'), { version: 'none-1', ope: null });
    await expect(manager.deploy(join(root, 'worse'))).rejects.toSatisfy((error) => RolloutRuleError.isInstance(error) && error.rule === 'ope-gate');
    await expect(manager.deploy(join(root, 'unevaluated'))).rejects.toThrow(/no off-policy evaluation/);
    const good = await manager.deploy(join(root, 'good'));
    expect(good).toMatchObject({ version: 'good-1', beatsRules: true, forced: false });
    expect(runtime.modelVersion).toBe('good-1');
    const forced = await manager.deploy(join(root, 'worse'), { force: true });
    expect(forced.forced).toBe(true);
    expect((await manager.rollback())?.version).toBe('good-1');
    expect(runtime.modelVersion).toBe('good-1');
    expect(await manager.rollback()).toBeNull();
    expect(runtime.modelVersion).toBeNull();
  });

  it('refuses a corrupt model with the artifact error', async () => {
    const { root, open } = await setup();
    const { manager } = await open();
    await writeTestModel(join(root, 'broken'), { version: 'b-1' });
    await writeFile(join(root, 'broken', 'actor.weights.bin'), 'garbage');
    await expect(manager.deploy(join(root, 'broken'))).rejects.toSatisfy((error) => ModelArtifactError.isInstance(error));
    await expect(manager.deploy(join(root, 'nowhere'))).rejects.toSatisfy((error) => ModelArtifactError.isInstance(error) && error.reason === 'missing-file');
  });

  it('explores with a candidate (persisted, loaded by other processes, shown in the status) until a deployment retires it', async () => {
    const { root, open } = await setup();
    const { manager, runtime } = await open();
    await writeTestModel(join(root, 'candidate'), { version: 'cand-1', ope: { targetBeatsBaseline: false } });
    const chosen = await manager.explore(join(root, 'candidate'), { value: 1.5, lower: -4, upper: 7 });
    expect(chosen).toMatchObject({ version: 'cand-1', source: join(root, 'candidate'), estimate: { value: 1.5 } });
    expect(chosen!.directory.startsWith(join(root, 'data', 'models'))).toBe(true);
    expect(runtime.candidate?.manifest.version).toBe('cand-1');
    const { runtime: other } = await open();
    expect(other.candidate?.manifest.version).toBe('cand-1');
    expect((await manager.status()).candidate?.version).toBe('cand-1');
    await writeTestModel(join(root, 'good'), { version: 'good-1' });
    await manager.deploy(join(root, 'good'));
    expect(runtime.candidate).toBeNull();
    expect((await manager.status()).candidate).toBeNull();
    await expect(manager.explore(join(root, 'nowhere'))).rejects.toSatisfy((error) => ModelArtifactError.isInstance(error) && error.reason === 'missing-file');
    expect(runtime.candidate).toBeNull();
  });

  it('hot-reloads a model deployed by another process', async () => {
    const { root, open } = await setup({ reloadIntervalMs: 20 });
    const { runtime } = await open();
    const { manager: deployer } = await open();
    await writeTestModel(join(root, 'model'), { version: 'hot-1' });
    await deployer.deploy(join(root, 'model'));
    const deadline = Date.now() + 5000;
    while (runtime.modelVersion !== 'hot-1' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.modelVersion).toBe('hot-1');
  });

  it('runs the A/B period: records arms, ramps, and then allows production', async () => {
    const { root, open } = await setup({ sessionsPerStep: 2 });
    const { manager } = await open();
    await writeTestModel(join(root, 'model'), { version: 'ab-1' });
    await manager.deploy(join(root, 'model'));
    await expect(manager.setMode('production')).rejects.toSatisfy((error) => RolloutRuleError.isInstance(error) && error.rule === 'ab-test-period');
    await manager.setMode('ab_test');
    const ramps: number[] = [];
    for (let index = 0; index < 12; index += 1) {
      const decision = manager.decide({ description: 'add a feature' });
      const rulesDecision = { ...decision, sessionId: `${decision.sessionId}-rules`, source: 'rules' as const };
      await manager.record(finishedSession('completed', 0.1), rulesDecision);
      const result = await manager.record(finishedSession('completed', 0.05), { ...decision, source: 'learned' });
      if (result.ramp.kind === 'ramped') ramps.push(result.ramp.to);
    }
    expect(ramps).toEqual([0.25, 0.5, 1]);
    const status = await manager.status();
    expect(status.abTest.sessionsServed).toBe(12);
    expect(status.abTest.guardrails.withinGuardrails).toBe(true);
    await manager.setMode('production');
    expect(manager.mode).toBe('production');
    expect(manager.decide({ description: 'x' }).source).toBe('learned');
  });

  it('with rollout.autoPromote, record moves the model to production once its A/B period allows it — unless the mode is pinned', async () => {
    for (const pinned of [false, true]) {
      const { root, open } = await setup({ autoPromote: true, ...(pinned ? { mode: 'ab_test' as const } : {}) });
      const { manager } = await open();
      await writeTestModel(join(root, 'model'), { version: 'promo-1' });
      await manager.deploy(join(root, 'model'));
      if (!pinned) await manager.setMode('ab_test');
      const events: string[] = [];
      for (let index = 0; index < 12; index += 1) {
        const decision = manager.decide({ description: 'add a feature' });
        if (decision.mode !== 'ab_test') break;
        await manager.record(finishedSession('completed', 0.1), { ...decision, sessionId: `${decision.sessionId}-rules`, source: 'rules' as const });
        const result = await manager.record(finishedSession('completed', 0.05), { ...decision, source: 'learned' });
        if (result.ramp.kind !== 'none') events.push(result.ramp.kind === 'ramped' ? `ramped ${result.ramp.to}` : result.ramp.kind);
      }
      // Ramped at 2, 4 and 6 learned sessions; the period of 4 is served by then, so production at the last step's 2nd.
      expect(events).toEqual(pinned ? ['ramped 0.25', 'ramped 0.5', 'ramped 1'] : ['ramped 0.25', 'ramped 0.5', 'ramped 1', 'promoted']);
      expect(manager.mode).toBe(pinned ? 'ab_test' : 'production');
    }
  });

  it('overrides only the rules named in force: past the ope-gate, the new model still serves its ab_test period', async () => {
    const { root, open } = await setup();
    const { manager } = await open();
    await writeTestModel(join(root, 'first'), { version: 'first-1' });
    await manager.deploy(join(root, 'first'));
    await manager.setMode('production', { force: true });
    await writeTestModel(join(root, 'unproven'), { version: 'unproven-1', ope: { error: 'no overlap' } });
    await expect(manager.deploy(join(root, 'unproven'))).rejects.toSatisfy((error) => RolloutRuleError.isInstance(error) && error.rule === 'ope-gate');
    await expect(manager.deploy(join(root, 'unproven'), { force: ['ope-gate'] })).resolves.toMatchObject({ version: 'unproven-1', forced: true });
    expect(manager.mode).toBe('ab_test');
  });

  it('a candidate chosen while a model serves challenges it; a challenger whose re-look beat that model replaces it in production', async () => {
    const { root, open } = await setup();
    const { manager } = await open();
    await writeTestModel(join(root, 'first'), { version: 'first-1', ope: comparisonOf(6) });
    await manager.deploy(join(root, 'first'));
    expect((await manager.status()).deployed).toMatchObject({ version: 'first-1', estimate: 6 });
    await manager.setMode('production', { force: true });
    await writeTestModel(join(root, 'challenger'), { version: 'challenger-1', seed: 2, ope: comparisonOf(-1, false) });
    expect(await manager.explore(join(root, 'challenger'), null)).toMatchObject({ version: 'challenger-1', challenges: 'first-1' });
    expect(manager.candidateStale).toBe(false);
    // Its re-look against the deployed model passed: it replaces it, and production goes on (no new A/B period).
    await writeTestModel(join(root, 'relooked'), { version: 'challenger-1', seed: 2, ope: { ...comparisonOf(4), kind: 'regate', look: 1, baseline: { policy: 'first-1', value: 0, lower: 0, upper: 0 } } });
    await manager.deploy(join(root, 'relooked'));
    expect(manager.mode).toBe('production');
    expect((await manager.status()).deployed).toMatchObject({ version: 'challenger-1', estimate: 10, beatsRules: true });
    expect((await manager.status()).candidate).toBeNull();
    expect((await manager.status()).events.some((event) => /challenger challenger-1 replaces first-1 in production/.test(event.message))).toBe(true);
    // A re-look against a model that no longer serves is no challenge: the new model starts its A/B period.
    await writeTestModel(join(root, 'late'), { version: 'late-1', seed: 3, ope: { ...comparisonOf(4), kind: 'regate', look: 1, baseline: { policy: 'first-1', value: 0, lower: 0, upper: 0 } } });
    await manager.deploy(join(root, 'late'));
    expect(manager.mode).toBe('ab_test');
    expect((await manager.status()).deployed).toMatchObject({ version: 'late-1', estimate: null });
  });

  it('a shadow candidate goes stale once a model serves, and a challenger once its model is rolled back', async () => {
    const { root, open } = await setup();
    const { manager } = await open();
    await manager.setMode('shadow');
    await writeTestModel(join(root, 'candidate'), { version: 'candidate-1', ope: comparisonOf(-1, false) });
    expect(await manager.explore(join(root, 'candidate'), null)).toMatchObject({ challenges: null });
    expect(manager.candidateStale).toBe(false);
    await writeTestModel(join(root, 'first'), { version: 'first-1', seed: 2, ope: comparisonOf(6) });
    await manager.deploy(join(root, 'first'));
    expect(manager.candidateStale).toBe(false);
    await manager.setMode('ab_test');
    expect(manager.candidateStale).toBe(false);
    await manager.explore(join(root, 'candidate'), null);
    expect((await manager.status()).candidate).toMatchObject({ challenges: 'first-1' });
    await manager.rollback();
    expect(manager.candidateStale).toBe(true);
    expect(await manager.regate({ output: join(root, 'unused') })).toBeNull();
  });

  it('stamps experiences and ages the history with the given clock, not the wall clock', async () => {
    const root = await mkdtemp(join(tmpdir(), 'learning-manager-clock-'));
    const start = Date.UTC(2030, 0, 1);
    let now = start;
    const halfLife = 14 * 24 * 3_600_000;
    const manager = await createLearning({ cwd: root, env: {}, runtime: new FakeRuntime(), config: { reloadIntervalMs: 0 }, clock: () => now });
    managers.push(manager);
    await manager.setMode('shadow');
    const first = await manager.record(finishedSession('completed'), manager.decide({ description: 'add a feature', sessionId: 'one' }));
    expect(first.experience?.timestamp).toBe(new Date(start).toISOString());
    // One half-life later (simulated): the first session weighs ½ beside the second.
    now = start + halfLife;
    const second = await manager.record(finishedSession('completed'), manager.decide({ description: 'add a feature', sessionId: 'two' }));
    expect(second.experience?.timestamp).toBe(new Date(start + halfLife).toISOString());
    expect(manager.historyOf('feature', 'backend').sampleWeight).toBeCloseTo(1.5, 9);
    expect(manager.decide({ description: 'add a feature', sessionId: 'three' }).history?.sampleWeight).toBeCloseTo(1.5, 9);
  });

  it('reports a missing trainer clearly', async () => {
    const { root } = await setup();
    const manager = await createLearning({
      cwd: root,
      env: {},
      importModule: async () => {
        throw Object.assign(new Error("Cannot find package '@orchestra/learning-trainer'"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    managers.push(manager);
    await expect(manager.trainer()).rejects.toSatisfy((error) => TrainerUnavailableError.isInstance(error));
    await expect(manager.trainer()).rejects.toThrow(/npm install @orchestra\/learning-trainer/);
  });
});
