import type { Action, TaskContext } from '@orchestra/learning-types';
import type { SimulatedTask } from './task-sampler';

/** A task with a hand-picked true context (tests only; not exported from the package). */
export function taskWith(context: Partial<TaskContext>): SimulatedTask {
  const trueContext: TaskContext = {
    taskType: 'feature',
    domains: ['backend'],
    complexity: 'medium',
    risk: 'low',
    estimatedTimeMinutes: 5,
    skills: [],
    ...context,
  };
  return { description: `${trueContext.taskType} task`, files: ['src/index.ts'], trueContext };
}

/** A one-executor action to vary in tests. */
export function actionWith(change: Partial<Action>): Action {
  return {
    skills: [],
    agents: ['executor'],
    approach: 'sequential',
    parallelism: 1,
    timeoutMultiplier: 1.5,
    retryStrategy: 'retry_with_backoff',
    safetyLevel: 'balanced',
    models: { executor: 'gpt-5.2-codex' },
    ...change,
  };
}
