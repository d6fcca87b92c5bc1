import type { TaskContext } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { IngestContextMemo } from './ingest-context-memo';

const context = (description: string) => ({ description }) as unknown as TaskContext;

describe('IngestContextMemo', () => {
  it('resolves a key by inferring it once', () => {
    const memo = new IngestContextMemo(8);
    let inferred = 0;
    const infer = () => {
      inferred += 1;
      return context('inferred');
    };
    expect(memo.resolve('task', infer)).toEqual(context('inferred'));
    expect(memo.resolve('task', infer)).toEqual(context('inferred'));
    expect(inferred).toBe(1);
  });

  it('holds at most its capacity, keeps the latest half, and carries a context in use into the newer generation', () => {
    const memo = new IngestContextMemo(8);
    for (let index = 0; index < 100; index += 1) {
      memo.set(`task-${index}`, context(`task-${index}`));
      expect(memo.size).toBeLessThanOrEqual(8);
    }
    // 100 inserts into generations of 4: the newer holds 96–99, the older 92–95 (`has` changes nothing).
    for (let index = 92; index < 100; index += 1) expect(memo.has(`task-${index}`)).toBe(true);
    expect(memo.has('task-91')).toBe(false);
    expect(memo.get('task-0')).toBeUndefined();
    expect(memo.get('task-99')).toEqual(context('task-99'));
    // A context read from the older generation moves to the newer one and survives the next turnover.
    const fresh = new IngestContextMemo(4);
    fresh.set('a', context('a'));
    fresh.set('b', context('b'));
    fresh.set('c', context('c')); // a, b → older; c newer
    expect(fresh.get('a')).toEqual(context('a')); // carried: newer = c, a
    fresh.set('d', context('d')); // newer full: older = c, a; newer = d
    expect(fresh.has('a')).toBe(true);
    expect(fresh.has('b')).toBe(false);
  });

  it('replaces a key already in the newer generation without starting a new one', () => {
    const memo = new IngestContextMemo(4);
    memo.set('a', context('a'));
    memo.set('b', context('b'));
    memo.set('b', context('b2'));
    expect(memo.get('a')).toEqual(context('a'));
    expect(memo.get('b')).toEqual(context('b2'));
    expect(memo.size).toBe(2);
  });
});
