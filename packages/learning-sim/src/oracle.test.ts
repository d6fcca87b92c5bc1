import { createRng } from '@orchestra/learning-features';
import type { Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { choiceToAction, forEachActionChoice, type ActionChoice } from './action-grid';
import { defaultWorld } from './default-world';
import { parseWorld } from './world-schema';
import { createOracle, expectedReward, oracleAction, taskKind } from './oracle';
import { actionWith, taskWith } from './test-support';

const tasks = [
  taskWith({ taskType: 'docs', domains: ['documentation'], complexity: 'simple', risk: 'low', estimatedTimeMinutes: 2 }),
  taskWith({ taskType: 'bugfix', domains: ['backend', 'database'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 5 }),
  taskWith({ taskType: 'security', domains: ['security', 'api', 'frontend'], complexity: 'complex', risk: 'high', estimatedTimeMinutes: 14 }),
];

/** Fixed actions to beat: a hand-written rule-like set, the extremes, and a pinned random sample of the grid. */
function fixedActions(): Action[] {
  const actions: Action[] = [
    actionWith({ approach: 'direct', models: { executor: 'glm-4.7' } }),
    actionWith({ approach: 'direct', models: { executor: 'claude-opus' }, timeoutMultiplier: 2 }),
    actionWith({ agents: ['executor', 'auditor'], models: { executor: 'gpt-5.2-codex', auditor: 'glm-4.7' } }),
    actionWith({
      agents: ['executor', 'architect', 'auditor'],
      approach: 'coordinated',
      parallelism: 2,
      safetyLevel: 'strict',
      retryStrategy: 'fallback',
      models: { executor: 'gpt-5.2-codex', architect: 'claude-opus', auditor: 'gpt-5.2-codex' },
    }),
  ];
  const rng = createRng(77);
  const picks = new Set(Array.from({ length: 24 }, () => Math.floor(rng.next() * 315_000)));
  let position = 0;
  forEachActionChoice(defaultWorld, (choice: Readonly<ActionChoice>) => {
    if (picks.has(position)) actions.push(choiceToAction(defaultWorld, choice));
    position += 1;
  });
  return actions;
}

/** The default world cut to two models: a 34,020-action space, for tests that only need some oracle. */
const smallWorld = parseWorld({
  ...defaultWorld,
  name: 'two-models',
  models: defaultWorld.models.filter((model) => model.id === 'glm-4.7' || model.id === 'claude-opus'),
  fallbackOrder: ['glm-4.7', 'claude-opus'],
});

describe('oracleAction', () => {
  it('is at least as good as every fixed action in expectation (pinned seeds, fresh rollouts)', () => {
    const fixed = fixedActions();
    for (const task of tasks) {
      const oracle = oracleAction(defaultWorld, task, { rollouts: 128, candidates: 24, seed: 1 });
      const measure = (action: Action) => expectedReward(defaultWorld, task, action, { rollouts: 300, seed: 2 });
      const best = measure(oracle.action);
      for (const action of fixed) {
        const other = measure(action);
        expect(best.mean, `${task.trueContext.taskType}: ${JSON.stringify(action)}`).toBeGreaterThanOrEqual(
          other.mean - 2 * (best.standardError + other.standardError),
        );
      }
      expect(oracle.actionsScreened).toBe(315_000);
      expect(oracle.candidates).toHaveLength(24);
    }
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
