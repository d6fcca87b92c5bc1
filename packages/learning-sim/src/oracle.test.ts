import { createRng } from '@orchestra/learning-features';
import type { Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { choiceToAction, countActions, forEachActionChoice, type ActionChoice } from './action-grid';
import { defaultWorld } from './default-world';
import type { SimulatedTask } from './task-sampler';
import { parseWorld, type World } from './world-schema';
import { createOracle, expectedReward, oracleAction, taskKind } from './oracle';
import { actionWith, taskWith } from './test-support';

const tasks = [
  taskWith({ taskType: 'docs', domains: ['documentation'], complexity: 'simple', risk: 'low', estimatedTimeMinutes: 2 }),
  taskWith({ taskType: 'bugfix', domains: ['backend', 'database'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 5 }),
  taskWith({ taskType: 'security', domains: ['security', 'api', 'frontend'], complexity: 'complex', risk: 'high', estimatedTimeMinutes: 14 }),
];

/** The default world cut to two models: a 34,020-action space, for tests that only need some oracle. */
const smallWorld = parseWorld({
  ...defaultWorld,
  name: 'two-models',
  models: defaultWorld.models.filter((model) => model.id === 'glm-4.7' || model.id === 'claude-opus'),
  fallbackOrder: ['glm-4.7', 'claude-opus'],
});

/** Fixed actions to beat: a hand-written rule-like set, the extremes, and a pinned random sample of the grid. */
function fixedActions(world: World): Action[] {
  const strong = world.models.some((model) => model.id === 'gpt-5.2-codex') ? 'gpt-5.2-codex' : 'claude-opus';
  const actions: Action[] = [
    actionWith({ approach: 'direct', models: { executor: 'glm-4.7' } }),
    actionWith({ approach: 'direct', models: { executor: 'claude-opus' }, timeoutMultiplier: 2 }),
    actionWith({ agents: ['executor', 'auditor'], models: { executor: strong, auditor: 'glm-4.7' } }),
    actionWith({
      agents: ['executor', 'architect', 'auditor'],
      approach: 'coordinated',
      parallelism: 2,
      safetyLevel: 'strict',
      retryStrategy: 'fallback',
      models: { executor: strong, architect: 'claude-opus', auditor: strong },
    }),
  ];
  const rng = createRng(77);
  const size = countActions(world);
  const picks = new Set(Array.from({ length: 24 }, () => Math.floor(rng.next() * size)));
  let position = 0;
  forEachActionChoice(world, (choice: Readonly<ActionChoice>) => {
    if (picks.has(position)) actions.push(choiceToAction(world, choice));
    position += 1;
  });
  return actions;
}

describe('oracleAction', () => {
  /** Checks the oracle's action against every fixed action with fresh rollouts (common random numbers). */
  function expectOracleBeatsFixedActions(world: World, task: SimulatedTask, candidates: number): void {
    const oracle = oracleAction(world, task, { rollouts: 128, candidates, seed: 1 });
    const measure = (action: Action) => expectedReward(world, task, action, { rollouts: 300, seed: 2 });
    const best = measure(oracle.action);
    for (const action of fixedActions(world)) {
      const other = measure(action);
      expect(best.mean, `${task.trueContext.taskType}: ${JSON.stringify(action)}`).toBeGreaterThanOrEqual(
        other.mean - 2 * (best.standardError + other.standardError),
      );
    }
    expect(oracle.actionsScreened).toBe(countActions(world));
    expect(oracle.candidates).toHaveLength(candidates);
  }

  it('is at least as good as every fixed action in expectation (two-model world, three task kinds)', () => {
    for (const task of tasks) expectOracleBeatsFixedActions(smallWorld, task, 16);
  });

  it('is at least as good as every fixed action in expectation on the default world (complex, risky task)', () => {
    expectOracleBeatsFixedActions(defaultWorld, tasks[2]!, 24);
  });

  it('is deterministic for a seed', () => {
    const first = oracleAction(smallWorld, tasks[1]!, { rollouts: 32, candidates: 8, seed: 5 });
    const second = oracleAction(smallWorld, tasks[1]!, { rollouts: 32, candidates: 8, seed: 5 });
    expect(first.actionsScreened).toBe(34_020);
    expect(second.action).toEqual(first.action);
    expect(second.expected).toEqual(first.expected);
  });

  it('caches answers per task kind', () => {
    const oracle = createOracle(smallWorld, { rollouts: 16, candidates: 4, seed: 3 });
    const first = oracle.actionFor(tasks[0]!);
    const sameKind = taskWith({ ...tasks[0]!.trueContext, estimatedTimeMinutes: 3, domains: ['tooling'] });
    expect(taskKind(sameKind.trueContext)).toBe(taskKind(tasks[0]!.trueContext));
    expect(oracle.actionFor(sameKind)).toBe(first);
    expect(oracle.size).toBe(1);
    oracle.actionFor(tasks[0]!, { concurrentTasks: 2, load: 0.83, agentAvailability: {} });
    expect(oracle.size).toBe(2);
  });
});
