import { ValidationError, actionSchema, type Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { ActionSpace, actionHeadNames, actionHeads } from './action-space';
import { defaultModelCatalog } from './model-catalog';
import { createRng } from './random';

const space = new ActionSpace();

const baseAction: Action = actionSchema.parse({
  skills: ['typescript'],
  agents: ['architect', 'executor', 'auditor'],
  approach: 'coordinated',
  parallelism: 3,
  timeoutMultiplier: 1.25,
  retryStrategy: 'retry_with_backoff',
  safetyLevel: 'strict',
  models: { architect: 'claude-opus', executor: 'glm-4.7', auditor: 'kimi-k2.5' },
});

function randomLogits(seed: number): Float32Array {
  const random = createRng(seed);
  return Float32Array.from({ length: space.totalLogits }, () => (random.next() - 0.5) * 4);
}

describe('ActionSpace layout', () => {
  it('has the heads, sizes and offsets of the contract', () => {
    expect(space.heads.map((head) => [head.name, head.size])).toEqual([
      ['approach', 4],
      ['parallelism', 4],
      ['timeout', 7],
      ['retry', 3],
      ['safety', 3],
      ['team', 8],
      ['model_architect', 4],
      ['model_executor', 4],
      ['model_auditor', 4],
      ['model_consultant', 4],
    ]);
    expect(space.offsets).toEqual([0, 4, 8, 15, 18, 21, 29, 33, 37, 41]);
    expect(space.totalLogits).toBe(45);
    expect(space.heads[actionHeads.team]!.labels[0b101]).toBe('executor+architect+consultant');
    expect(space.heads[actionHeads.timeout]!.labels).toEqual(['0.50', '0.75', '1.00', '1.25', '1.50', '1.75', '2.00']);
    expect(space.headIndex('model_auditor')).toBe(8);
    expect(() => space.headIndex('colour')).toThrow(RangeError);
  });

  it('has a stable hash that follows the catalog', () => {
    expect(new ActionSpace().hash).toBe(space.hash);
    const cheaper = { models: defaultModelCatalog.models.map((model) => ({ ...model, inputPricePer1kTokens: 0 })) };
    expect(new ActionSpace(cheaper).hash).not.toBe(space.hash);
  });
});

describe('ActionSpace encode/decode', () => {
  it('round-trips every choice of every head', () => {
    for (let head = 0; head < space.heads.length; head += 1) {
      for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
        // Start from a fully active, valid point so each head's choice is observable after decoding.
        const indices = Int32Array.from([3, 0, 2, 1, 1, 0b111, 0, 1, 2, 3]);
        indices[head] = choice;
        if (head === actionHeads.parallelism) indices[actionHeads.approach] = 2;
        const action = space.decode(indices, ['x']);
        expect(actionSchema.safeParse(action).success).toBe(true);
        const encoded = space.encode(action);
        const active = space.activeHeads(indices);
        for (let other = 0; other < space.heads.length; other += 1) {
          if (active[other]) expect(encoded[other], `head ${actionHeadNames[other]} choice ${choice}`).toBe(indices[other]);
        }
      }
    }
  });

  it('encodes a real action and decodes it back', () => {
    const indices = space.encode(baseAction);
    expect(Array.from(indices)).toEqual([3, 2, 3, 1, 0, 0b011, 3, 0, 1, 0]);
    expect(space.decode(indices, baseAction.skills)).toEqual(baseAction);
  });

  it('gives absent roles the executor model and marks their heads inactive', () => {
    const solo = actionSchema.parse({ ...baseAction, agents: ['executor'], models: { executor: 'kimi-k2.5' } });
    const indices = space.encode(solo);
    expect(indices[actionHeads.model_architect]).toBe(1);
    expect(indices[actionHeads.model_consultant]).toBe(1);
    expect(space.activeHeads(indices)).toEqual([true, true, true, true, true, true, false, true, false, false]);
  });

  it('bins timeout multipliers to the nearest step', () => {
    expect(space.encode({ ...baseAction, timeoutMultiplier: 0.6 })[actionHeads.timeout]).toBe(0);
    expect(space.encode({ ...baseAction, timeoutMultiplier: 0.9 })[actionHeads.timeout]).toBe(2);
    expect(space.encode({ ...baseAction, timeoutMultiplier: 2 })[actionHeads.timeout]).toBe(6);
  });

  it('refuses models outside the catalog and indices out of range', () => {
    expect(() => space.encode({ ...baseAction, models: { ...baseAction.models, auditor: 'gpt-2' } })).toThrow(ValidationError);
    expect(() => space.encode({ ...baseAction, models: { ...baseAction.models, auditor: 'gpt-2' } })).toThrow(/models.auditor/u);
    expect(() => space.decode([0, 0, 0, 0, 0, 0, 0, 9, 0, 0])).toThrow(RangeError);
  });
});

describe('ActionSpace masks and probabilities', () => {
  it('allows parallelism > 1 only with parallel or coordinated approaches', () => {
    const mask = new Uint8Array(8);
    const indices = new Int32Array(10);
    for (const [approach, expected] of [
      [0, [1, 0, 0, 0]],
      [1, [1, 0, 0, 0]],
      [2, [1, 1, 1, 1]],
      [3, [1, 1, 1, 1]],
    ] as const) {
      indices[actionHeads.approach] = approach;
      expect(Array.from(space.mask('parallelism', indices, mask).subarray(0, 4))).toEqual(expected);
    }
    expect(Array.from(space.mask(actionHeads.timeout, indices, mask).subarray(0, 7))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(() => space.mask(actionHeads.timeout, indices, new Uint8Array(4))).toThrow(RangeError);
    expect(() => space.sample(randomLogits(1), createRng(1), new Int32Array(3))).toThrow(RangeError);
    const invalid = space.encode({ ...baseAction, approach: 'direct', parallelism: 3 });
    expect(space.isValid(invalid)).toBe(false);
    expect(space.logProbability(invalid, randomLogits(1))).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sums to one over every valid action', () => {
    const logits = randomLogits(7);
    // Enumerate the non-model heads fully and the team's model heads; inactive heads are fixed by convention.
    let total = 0;
    const indices = new Int32Array(10);
    const sizes = space.heads.map((head) => head.size);
    const visit = (head: number): void => {
      if (head === sizes.length) {
        for (let model = actionHeads.model_architect; model <= actionHeads.model_consultant; model += 1) {
          if (!space.isHeadActive(model, indices)) indices[model] = indices[actionHeads.model_executor]!;
        }
        if (space.isValid(indices)) total += Math.exp(space.logProbability(indices, logits));
        return;
      }
      if (head > actionHeads.team && !space.isHeadActive(head, indices)) {
        visit(head + 1);
        return;
      }
      for (let choice = 0; choice < sizes[head]!; choice += 1) {
        indices[head] = choice;
        visit(head + 1);
      }
    };
    visit(0);
    expect(total).toBeCloseTo(1, 4);
  });

  it('samples actions at the frequencies logProbability gives (pinned seed)', () => {
    const logits = randomLogits(11);
    // Sharpen a few heads so the most likely actions are frequent enough to count.
    for (let index = 0; index < logits.length; index += 1) logits[index] = logits[index]! * 2;
    const random = createRng(2024);
    const indices = new Int32Array(10);
    const counts = new Map<string, { count: number; logProbability: number }>();
    const draws = 60_000;
    for (let draw = 0; draw < draws; draw += 1) {
      const logProbability = space.sample(logits, random, indices);
      expect(logProbability).toBeCloseTo(space.logProbability(indices, logits), 4);
      const key = indices.join(',');
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { count: 1, logProbability });
      else entry.count += 1;
      if (draw < 2000) expect(space.isValid(indices)).toBe(true);
    }
    const frequent = [...counts.values()].sort((left, right) => right.count - left.count).slice(0, 5);
    expect(frequent[0]!.count).toBeGreaterThan(100);
    for (const entry of frequent) {
      const expected = Math.exp(entry.logProbability) * draws;
      // Within 5 standard deviations of a binomial count.
      expect(Math.abs(entry.count - expected)).toBeLessThan(5 * Math.sqrt(expected) + 2);
    }
  });

  it('argmax picks the best valid choice per head and respects the parallelism mask', () => {
    const logits = new Float32Array(space.totalLogits);
    logits[space.offsets[actionHeads.approach]! + 0] = 5; // direct
    logits[space.offsets[actionHeads.parallelism]! + 3] = 9; // 4 workers: masked under direct
    logits[space.offsets[actionHeads.team]! + 0b010] = 3; // executor + auditor
    logits[space.offsets[actionHeads.model_executor]! + 2] = 4;
    logits[space.offsets[actionHeads.model_auditor]! + 3] = 4;
    logits[space.offsets[actionHeads.model_architect]! + 1] = 40; // inactive head: must not matter
    const indices = new Int32Array(10);
    const logProbability = space.argmax(logits, indices);
    expect(Array.from(indices)).toEqual([0, 0, 0, 0, 0, 0b010, 2, 2, 3, 2]);
    expect(logProbability).toBeCloseTo(space.logProbability(indices, logits), 6);
    expect(space.decode(indices).agents).toEqual(['executor', 'auditor']);
  });
});

describe('ActionSpace JSON', () => {
  it('round-trips and refuses tampered heads or hashes', () => {
    const json = JSON.parse(JSON.stringify(space.toJSON()));
    const restored = ActionSpace.fromJSON(json);
    expect(restored.hash).toBe(space.hash);
    expect(restored.heads).toEqual(space.heads);
    expect(() => ActionSpace.fromJSON({ ...json, heads: json.heads.slice(1) })).toThrow(/heads/u);
    expect(() => ActionSpace.fromJSON({ ...json, hash: 'abc' })).toThrow(/hash/u);
    expect(() => ActionSpace.fromJSON({ ...json, catalog: { models: [] } })).toThrow(ValidationError);
  });
});
