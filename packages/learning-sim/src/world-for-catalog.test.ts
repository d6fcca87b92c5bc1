import { createRng } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from './default-world';
import { runSession } from './session-player';
import { sampleTask } from './task-sampler';
import { worldForCatalog } from './world-for-catalog';

const catalog = {
  models: [
    { id: 'glm-4.7', provider: 'zhipu', tier: 'cheap', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.0022 },
    { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
    { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
  ],
} as const;

describe('worldForCatalog', () => {
  it('simulates an unknown model like the world model of its tier with the closest price, at its own prices', () => {
    const world = worldForCatalog(defaultWorld, { models: [...catalog.models] });
    const glm = defaultWorld.models.find((model) => model.id === 'glm-4.7')!;
    const mini = world.models.find((model) => model.id === 'gpt-4o-mini')!;
    expect(mini).toMatchObject({ provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006, skill: glm.skill, latency: glm.latency });
    const o3 = world.models.find((model) => model.id === 'o3')!;
    expect(o3.tier).toBe('expensive');
    expect(defaultWorld.models.filter((model) => model.tier === 'expensive').map((model) => model.skill)).toContainEqual(o3.skill);
    expect(world.models.slice(0, defaultWorld.models.length)).toEqual(defaultWorld.models);
    expect(worldForCatalog(defaultWorld, { models: [catalog.models[0]] })).toBe(defaultWorld);
  });

  it('plays a session on a model the world did not know, billed at that model’s prices', () => {
    const world = worldForCatalog(defaultWorld, { models: [...catalog.models] });
    const random = createRng(3);
    const task = sampleTask(world, random);
    const action = {
      skills: [],
      agents: ['executor' as const],
      approach: 'direct' as const,
      parallelism: 1,
      timeoutMultiplier: 1,
      retryStrategy: 'fail_fast' as const,
      safetyLevel: 'balanced' as const,
      models: { executor: 'gpt-4o-mini' },
    };
    const { session } = runSession(world, task, action, random);
    const call = session.workflow.flatMap((step) => step.attempts)[0]!;
    expect(call.modelId).toBe('gpt-4o-mini');
    expect(call.estimatedCost).toBeCloseTo((call.inputTokens! * 0.00015 + call.outputTokens! * 0.0006) / 1000, 12);
  });
});
