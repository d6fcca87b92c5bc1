import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import { ActionSpace, type ActionHeadName } from '@orchestra/learning-features';
import { RulesPolicy, SafetyGuard } from '@orchestra/learning-policy';
import type { Experience } from '@orchestra/learning-types';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeLadders } from './baselines';
import { ReplayOptionError } from './errors';
import { fallbackOrder, ladderOfAction } from './ladder';
import { learnFromReplay } from './replay-learner';
import { referenceCostOf } from './replay-reward';
import { renderReplayHtml } from './replay-report';
import { readReplayTable } from './replay-table';
import { REPLAY_EXPLORED_HEADS, runReplay } from './run-replay';
import { splitTasks } from './split-tasks';
import { syntheticTable } from './test-support';

const fixture = join(import.meta.dirname, '__fixtures__', 'routellm-mini');
const table = await readReplayTable({ tasks: join(fixture, 'tasks.jsonl'), outcomes: join(fixture, 'outcomes.jsonl'), models: join(fixture, 'models.json') });
const scratch = await mkdtemp(join(tmpdir(), 'orchestra-replay-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('runReplay (120 RouteLLM MMLU questions)', () => {
  // Started by the first test that needs it (a filtered run must not leave it running past the clean-up).
  let started: ReturnType<typeof runReplay> | undefined;
  const replay = () => (started ??= runReplay(table, { seed: 3, passes: 2, curveWeights: [0.25], workDir: scratch }));

  it('returns the documented JSON contract', async () => {
    const result = await replay();
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['seed', 'tasks', 'testTaskIds', 'models', 'policies', 'learnedDecisions', 'curve']));
    expect(result.seed).toBe(3);
    expect(result.tasks).toEqual({ train: 60, test: 60 });
    expect(result.models).toEqual(['mixtral-8x7b-instruct', 'gpt-4-1106-preview']);
    expect(Object.keys(result.policies).sort()).toEqual(['bestFallbackLadder', 'bestLadder', 'bestSingle', 'cheapest', 'learned', 'oracle', 'random', 'strongest']);
    for (const policy of Object.values(result.policies)) expect(Object.keys(policy).sort()).toEqual(['costPerTask', 'meanReward', 'successRate']);
    expect(result.curve.map((point) => point.costWeight)).toEqual([0.25]);
    expect(result.experiences).toBe(120);
    // The gate compares with the rules of the table's own catalog (the default catalog's rules name other models).
    expect(result.gate.reason ?? '').not.toContain('is not in the catalog');
    expect(['passed', 'refused', 'not-evaluated']).toContain(result.gate.verdict);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('renders a self-contained HTML page with the cost–quality chart as static SVG', async () => {
    const html = await renderReplayHtml(await replay(), 'Replay <test>');
    expect(html).toContain('<title>Replay &lt;test&gt;</title>');
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html.match(/<svg /g)).toHaveLength(1);
    // The learned curve (one point per cost weight, labelled) and the three references.
    expect(html).toContain('>w=0.25</text>');
    for (const name of ['strongest', 'bestLadder', 'oracle']) expect(html).toContain(`>${name}</text>`);
  });

  it('lists a ladder for every test task, from which the learned figures can be recomputed', async () => {
    const result = await replay();
    expect(result.learnedDecisions.map((decision) => decision.taskId)).toEqual(result.testTaskIds);
    expect(new Set(result.testTaskIds).size).toBe(60);
    const position = new Map(table.tasks.map((task, index) => [task.id, index]));
    const test = result.testTaskIds.map((id) => position.get(id)!);
    expect(test).toEqual(splitTasks(120, 0.5, 3).test);
    const ladders = result.learnedDecisions.map((decision) => decision.ladder.map((id) => result.models.indexOf(id)));
    for (const ladder of ladders) {
      expect(ladder.length).toBeGreaterThanOrEqual(1);
      expect(ladder.every((model) => model >= 0)).toBe(true);
    }
    const scoring = { costWeight: 0.25, referenceCostUsd: result.settings.referenceCostUsd };
    expect(summarizeLadders(table, test, (_, index) => ladders[index]!, scoring)).toEqual(result.policies.learned);
    expect(result.curve[0]).toMatchObject(result.policies.learned);
  });

  it('orders the references sensibly: oracle ≥ best ladder ≥ best single on reward, strongest ≥ cheapest on success', async () => {
    const { policies } = await replay();
    expect(policies.oracle.meanReward).toBeGreaterThanOrEqual(policies.bestLadder.meanReward);
    expect(policies.oracle.meanReward).toBeGreaterThanOrEqual(policies.learned.meanReward);
    expect(policies.strongest.successRate).toBeGreaterThanOrEqual(policies.cheapest.successRate);
    expect(policies.cheapest.costPerTask).toBeLessThan(policies.strongest.costPerTask);
  });

  it('refuses options out of range with a typed error', async () => {
    await expect(runReplay(table, { trainShare: 1 })).rejects.toSatisfy((error) => ReplayOptionError.isInstance(error) && error.option === 'trainShare');
    await expect(runReplay(table, { passes: 0 })).rejects.toThrow('replay option passes: expected a positive integer, got 0');
    await expect(runReplay(table, { exploration: 0 })).rejects.toThrow(/exploration/);
    await expect(runReplay(table, { costWeight: -1 })).rejects.toThrow(/costWeight/);
    await expect(runReplay(table, { candidateShare: 0.6 })).rejects.toThrow('replay option candidateShare: expected a share in [0, 0.5], got 0.6');
    await expect(runReplay(table, { fallbackOrder: 'tiers' as 'train' })).rejects.toThrow('replay option fallbackOrder: expected "train" or "product", got "tiers"');
    await expect(runReplay(table, { exploredHeads: ['retry', 'model_chef' as 'retry'] })).rejects.toSatisfy((error) => ReplayOptionError.isInstance(error) && error.option === 'exploredHeads');
    await expect(runReplay(table, { exploredHeads: [] })).rejects.toThrow(/exploredHeads/);
  });
});

/** One `learnFromReplay` run on the test table (ladders of 2, the product's fallback order) and the experiences it logged. */
async function logReplay(name: string, seed: number, options: { costWeight: number; passes: number; exploration: number; exploredHeads?: readonly ActionHeadName[] }) {
  const { train, test } = splitTasks(table.tasks.length, 0.5, seed);
  const scoring = { costWeight: options.costWeight, referenceCostUsd: referenceCostOf(table, train) };
  const dataDir = join(scratch, name);
  const order = fallbackOrder(table.catalog);
  const result = await learnFromReplay({ table, train, test, scoring, passes: options.passes, maxLadder: 2, order, exploration: options.exploration, seed, dataDir, ...(options.exploredHeads === undefined ? {} : { exploredHeads: options.exploredHeads }) });
  const store = await JsonlExperienceStore.open({ dataDir, readOnly: true });
  const experiences: Experience[] = [];
  for await (const experience of store.read()) experiences.push(experience);
  await store.close();
  return { result, experiences, train, test, scoring, order };
}

describe('learnFromReplay: the logged-bandit protocol through the facade', () => {
  it('records every revealed ladder as a session with the exact propensity of the rules with exploration', async () => {
    const { result, experiences, train, test, scoring, order } = await logReplay('propensities', 5, { costWeight: 0.5, passes: 1, exploration: 0.4 });
    expect(result.ladders).toHaveLength(test.length);
    expect(experiences).toHaveLength(train.length);
    const rules = new RulesPolicy({ guard: new SafetyGuard({ space: new ActionSpace(table.catalog) }), config: { seed: 5 } });
    let explored = 0;
    for (const experience of experiences) {
      const { context, system, history } = experience.state;
      const input = { context, system, ...(history === undefined ? {} : { history }) };
      expect(experience.propensity).toBe(rules.probabilityOf(experience.action, input, 0.4));
      if (experience.propensity < 0.6) explored += 1;
      // Only the models the ladder tried are revealed, in its order, and the reward is 200·(success − 0.5·cost/unit) − 100.
      const task = table.tasks.findIndex((entry) => experience.sessionId!.endsWith(`-${entry.id}`));
      const ladder = ladderOfAction(experience.action, table.catalog, order, 2);
      const attempts = experience.session!.workflow[0]!.attempts;
      expect(attempts.map((attempt) => attempt.modelId)).toEqual(ladder.slice(0, attempts.length).map((model) => table.modelIds[model]));
      const success = experience.session!.phase === 'completed' ? 1 : 0;
      expect(success).toBe(attempts.some((attempt) => attempt.success) ? 1 : 0);
      const cost = attempts.reduce((sum, attempt) => sum + (attempt.estimatedCost ?? 0), 0);
      expect(experience.reward.total).toBeCloseTo(200 * (success - (0.5 * cost) / scoring.referenceCostUsd) - 100, 9);
      expect(task).toBeGreaterThanOrEqual(0);
    }
    expect(explored).toBeGreaterThan(0);
  });
});

describe('the logging policy explores only what an outcome table reveals', () => {
  it('changes, when it explores, only the retry strategy or the executor model (REPLAY_EXPLORED_HEADS), with exact propensities', async () => {
    const { experiences } = await logReplay('explored-heads', 6, { costWeight: 0.25, passes: 2, exploration: 1, exploredHeads: REPLAY_EXPLORED_HEADS });
    const space = new ActionSpace(table.catalog);
    const rules = new RulesPolicy({ guard: new SafetyGuard({ space }), config: { seed: 6, exploredHeads: [...REPLAY_EXPLORED_HEADS] } });
    const changed = new Set<string>();
    for (const experience of experiences) {
      const { context, system, history } = experience.state;
      const input = { context, system, ...(history === undefined ? {} : { history }) };
      expect(experience.propensity).toBe(rules.probabilityOf(experience.action, input, 1));
      const greedy = rules.choose(input, 0).decision.action;
      if (greedy.retryStrategy !== experience.action.retryStrategy) changed.add('retry');
      if (greedy.models.executor !== experience.action.models.executor) changed.add('model_executor');
      expect({ ...experience.action, retryStrategy: greedy.retryStrategy, models: { ...experience.action.models, executor: greedy.models.executor } }).toEqual(greedy);
    }
    expect([...changed].sort()).toEqual(['model_executor', 'retry']);
  });
});

describe('runReplay smoke test: the learned ladder on a seeded synthetic table (800 tasks, 3 models)', () => {
  it('learns a ladder that matches the best static ladder and beats every single model (chosen on train, measured on test)', async () => {
    const result = await runReplay(syntheticTable(800, 11), { seed: 5, curveWeights: [0.25], fallbackOrder: 'train', workDir: scratch });
    const { learned, bestLadder, bestSingle, random } = result.policies;
    expect(result.settings.fallbackOrderFrom).toBe('train');
    expect(result.settings.fallbackOrder.slice(0, result.settings.chosen.bestLadder.length)).toEqual(result.settings.chosen.bestLadder);
    expect(result.policies.bestFallbackLadder).toEqual(bestLadder);
    // Measured at this seed: learned 0.883 = best ladder (cheap → mid → expensive) on all 400 test tasks, and so at
    // seeds 6 and 7. With 200 train tasks one pass is at the edge: seed 5 kept the rules' cheap model alone (0.455).
    expect(learned.meanReward).toBeGreaterThanOrEqual(bestLadder.meanReward - 0.01);
    expect(learned.meanReward).toBeGreaterThan(bestSingle.meanReward + 0.1);
    expect(learned.meanReward).toBeGreaterThan(random.meanReward);
  });
});

describe('learnFromReplay with an exploration candidate (the product\'s continuous loop)', () => {
  it('improves after every pass but the last and logs every pass', async () => {
    const { train, test } = splitTasks(table.tasks.length, 0.5, 6);
    const scoring = { costWeight: 0.25, referenceCostUsd: referenceCostOf(table, train) };
    const dataDir = join(scratch, 'candidate-share');
    const result = await learnFromReplay({ table, train, test, scoring, passes: 2, maxLadder: 2, order: fallbackOrder(table.catalog), exploration: 0.5, candidateShare: 0.25, seed: 6, dataDir });
    expect(result.experiences).toBe(2 * train.length);
    for (const name of ['pass-1', 'replay']) expect(existsSync(join(dataDir, 'candidates', name, 'manifest.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'candidates', 'pass-2'))).toBe(false);
    expect(result.ladders).toHaveLength(test.length);
  });
});
