import { createRng } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { builtInWorld, builtInWorlds } from './built-in-worlds';
import { defaultWorld } from './default-world';
import { oracleAction } from './oracle';
import { reshuffleWorld } from './reshuffle-world';
import { taskWith } from './test-support';
import { runSession, sampleSystem } from './session-player';
import { sampleTask } from './task-sampler';
import { printWorld } from './world-file';
import { parseWorld } from './world-schema';

describe('reshuffleWorld', () => {
  it('always makes a valid world that plays sessions, over many seeds, strengths and base worlds', () => {
    for (const [name, base] of Object.entries(builtInWorlds())) {
      for (let seed = 0; seed < 40; seed += 1) {
        const strength = [0, 0.5, 1, 2, 3][seed % 5]!;
        const world = reshuffleWorld(base, seed * 7919 + 1, { strength });
        expect(parseWorld(JSON.parse(printWorld(world)))).toEqual(world);
        expect(world.name).toBe(`${name}-reshuffled-${seed * 7919 + 1}`);
        expect(world.models.map((model) => model.id)).toEqual(base.models.map((model) => model.id));
        for (const model of world.models) expect(model.skill.simple).toBeGreaterThanOrEqual(model.skill.complex);
        expect(world.tasks.templates).toEqual(base.tasks.templates);
        const random = createRng(seed);
        for (let index = 0; index < 5; index += 1) {
          const task = sampleTask(world, random);
          const { outcome } = runSession(world, task, { skills: [], agents: ['executor', 'auditor'], approach: 'parallel', parallelism: 2, timeoutMultiplier: 1, retryStrategy: 'fallback', safetyLevel: 'strict', models: { executor: 'glm-4.7', auditor: 'claude-opus' } }, random, { system: sampleSystem(world, random) });
          expect(Number.isFinite(outcome.totalCostUsd)).toBe(true);
        }
      }
    }
  });

  it('is deterministic per seed and options, and different seeds give different worlds', () => {
    expect(reshuffleWorld(defaultWorld, 7)).toEqual(reshuffleWorld(defaultWorld, 7));
    expect(printWorld(reshuffleWorld(defaultWorld, 7, { strength: 2 }))).toBe(printWorld(reshuffleWorld(defaultWorld, 7, { strength: 2 })));
    expect(reshuffleWorld(defaultWorld, 7).models).not.toEqual(reshuffleWorld(defaultWorld, 8).models);
    expect(reshuffleWorld(defaultWorld, 7).effects.coupling).not.toEqual(defaultWorld.effects.coupling);
    expect(reshuffleWorld(defaultWorld, 7).tasks.typeWeights).not.toEqual(defaultWorld.tasks.typeWeights);
    expect(reshuffleWorld(defaultWorld, 7, { name: 'mine' }).name).toBe('mine');
    // The base is not modified.
    expect(builtInWorld('default')).toEqual(defaultWorld);
  });

  it('with strength 0 and no permutation keeps every model number', () => {
    const world = reshuffleWorld(defaultWorld, 3, { strength: 0, permute: false });
    for (const [index, model] of world.models.entries()) {
      const base = defaultWorld.models[index]!;
      expect({ ...model, tier: base.tier }).toEqual(base);
    }
    expect(world.effects).toEqual(defaultWorld.effects);
  });

  it('refuses a bad strength or seed', () => {
    expect(() => reshuffleWorld(defaultWorld, 1, { strength: -1 })).toThrow(RangeError);
    expect(() => reshuffleWorld(defaultWorld, 1, { strength: 4 })).toThrow(RangeError);
    expect(() => reshuffleWorld(defaultWorld, Number.NaN)).toThrow(RangeError);
  });

  it('changes which actions are best (the oracle picks other actions for the same task kinds)', () => {
    const kinds = [
      taskWith({ taskType: 'feature', complexity: 'complex', risk: 'medium', domains: ['backend', 'frontend'] }),
      taskWith({ taskType: 'docs', complexity: 'simple', risk: 'low', domains: ['documentation'] }),
    ];
    const settings = { candidates: 4, rollouts: 16, seed: 1 };
    const system = { concurrentTasks: 1, load: 0.3, agentAvailability: {} };
    const key = (action: unknown) => JSON.stringify(action);
    const baseActions = kinds.map((task) => key(oracleAction(defaultWorld, task, { ...settings, system }).action));
    let changed = 0;
    let compared = 0;
    for (const seed of [11, 12]) {
      const world = reshuffleWorld(defaultWorld, seed);
      kinds.forEach((task, index) => {
        compared += 1;
        if (key(oracleAction(world, task, { ...settings, system }).action) !== baseActions[index]) changed += 1;
      });
    }
    expect(changed).toBeGreaterThanOrEqual(Math.ceil(compared / 2));
  }, 90_000);
});
