import type { Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { allLadders, expressibleLadders, fallbackOrder, ladderOfAction, ladderOutcome } from './ladder';
import { handTable } from './test-support';

const action = (executor: string, retryStrategy: Action['retryStrategy']): Action => ({
  skills: [],
  agents: ['executor'],
  approach: 'direct',
  parallelism: 1,
  timeoutMultiplier: 1,
  retryStrategy,
  safetyLevel: 'balanced',
  models: { executor },
});

describe('ladders', () => {
  const table = handTable();
  const order = fallbackOrder(table.catalog);

  it('orders the fallback by tier, then catalog order (the AI SDK adapter\'s default ladder)', () => {
    const catalog = { models: [table.catalog.models[2]!, table.catalog.models[0]!, table.catalog.models[1]!] };
    expect(fallbackOrder(catalog).map((index) => catalog.models[index]!.id)).toEqual(['a', 'b', 'c']);
  });

  it('runs the executor model alone, or rotates along the fallback order under `fallback`', () => {
    expect(ladderOfAction(action('b', 'fallback'), table.catalog, order, 3)).toEqual([1, 2, 0]);
    expect(ladderOfAction(action('b', 'fallback'), table.catalog, order, 2)).toEqual([1, 2]);
    expect(ladderOfAction(action('b', 'fail_fast'), table.catalog, order, 3)).toEqual([1]);
    expect(ladderOfAction(action('b', 'retry_with_backoff'), table.catalog, order, 3)).toEqual([1]);
    expect(() => ladderOfAction(action('z', 'fallback'), table.catalog, order, 3)).toThrow(RangeError);
  });

  it('pays a rung only when the earlier ones failed, and skips a model the task lacks', () => {
    expect(ladderOutcome(table, 1, [0, 1, 2])).toEqual({ success: 1, costUsd: 3 });
    expect(ladderOutcome(table, 2, [0, 1, 2])).toEqual({ success: 1, costUsd: 11 });
    expect(ladderOutcome(table, 3, [0, 1, 2])).toEqual({ success: 1, costUsd: 5 });
    expect(ladderOutcome(table, 3, [1])).toEqual({ success: 0, costUsd: 0 });
    expect(ladderOutcome(table, 3, [0])).toEqual({ success: 0.5, costUsd: 1 });
  });

  it('enumerates every ordered ladder, and the ones the action space expresses', () => {
    expect(allLadders(3, 3)).toHaveLength(3 + 6 + 6);
    expect(allLadders(9, 3)).toHaveLength(9 + 72 + 504);
    expect(expressibleLadders([0, 1, 2], 3)).toEqual([[0], [1], [2], [0, 1, 2], [1, 2, 0], [2, 0, 1]]);
    expect(expressibleLadders([0, 1, 2], 1)).toEqual([[0], [1], [2]]);
  });
});
