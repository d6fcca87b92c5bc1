import { createRng } from '@orchestra/learning-features';
import { parseReplayTable, type ReplayTable } from './replay-table';

/**
 * A table small enough to check by hand: models a (cheap, $1), b (mid, $2), c (expensive, $8); task t0: a ✓ b ✗ c ✓;
 * t1: a ✗ b ✓ c ✓; t2: a ✗ b ✗ c ✓; t3: a succeeds half the time, b was not run, c ✓.
 */
export function handTable(): ReplayTable {
  const model = (id: string, tier: string) => ({ id, provider: 'test', tier, inputPricePer1kTokens: 0, outputPricePer1kTokens: 0 });
  const outcome = (taskId: string, model: string, success: boolean | number, costUsd: number) => JSON.stringify({ taskId, model, success, costUsd });
  return parseReplayTable({
    models: JSON.stringify({ models: [model('a', 'cheap'), model('b', 'mid'), model('c', 'expensive')] }),
    tasks: ['t0', 't1', 't2', 't3'].map((id) => JSON.stringify({ id, text: `task ${id}` })).join('\n'),
    outcomes: [
      outcome('t0', 'a', true, 1),
      outcome('t0', 'b', false, 2),
      outcome('t0', 'c', true, 8),
      outcome('t1', 'a', false, 1),
      outcome('t1', 'b', true, 2),
      outcome('t1', 'c', true, 8),
      outcome('t2', 'a', false, 1),
      outcome('t2', 'b', false, 2),
      outcome('t2', 'c', true, 8),
      outcome('t3', 'a', 0.5, 1),
      outcome('t3', 'c', true, 8),
    ].join('\n'),
  });
}

/**
 * A seeded synthetic table: `tasks` tasks, models cheap ($1, solves 55 %), mid ($3, 70 %) and expensive ($10, 90 %),
 * each outcome drawn independently (booleans) from `createRng(seed)`. On it a ladder from the cheap model up beats
 * every single model at cost weight 0.25.
 */
export function syntheticTable(tasks: number, seed: number): ReplayTable {
  const random = createRng(seed);
  const models = [
    { id: 'cheap', tier: 'cheap', costUsd: 1, success: 0.55 },
    { id: 'mid', tier: 'mid', costUsd: 3, success: 0.7 },
    { id: 'expensive', tier: 'expensive', costUsd: 10, success: 0.9 },
  ];
  const topics = ['fix the failing test in', 'add a flag to', 'refactor', 'document', 'speed up'];
  const ids = Array.from({ length: tasks }, (_, task) => `s${task}`);
  return parseReplayTable({
    models: JSON.stringify({ models: models.map(({ id, tier }) => ({ id, provider: 'test', tier, inputPricePer1kTokens: 0, outputPricePer1kTokens: 0 })) }),
    tasks: ids.map((id, task) => JSON.stringify({ id, text: `${topics[task % topics.length]} module ${task}` })).join('\n'),
    outcomes: ids.flatMap((taskId) => models.map((model) => JSON.stringify({ taskId, model: model.id, success: random.next() < model.success, costUsd: model.costUsd }))).join('\n'),
  });
}
