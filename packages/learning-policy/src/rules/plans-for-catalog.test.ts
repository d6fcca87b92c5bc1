import { ActionSpace, defaultModelCatalog } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { makeInput } from '../test-support/inputs';
import { SafetyGuard } from '../safety/safety-guard';
import { plansForCatalog } from './plans-for-catalog';
import { rulesConfigSchema } from './rules-config';
import { RulesPolicy } from './rules-policy';

const threeModels = {
  models: [
    { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
    { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
    { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
  ],
} as const;

describe('plansForCatalog', () => {
  it('keeps the default plans for the default catalog', () => {
    expect(plansForCatalog(defaultModelCatalog)).toEqual(rulesConfigSchema.parse({}).plans);
  });

  it('replaces every default model by the catalog model of its tier', () => {
    const plans = plansForCatalog({ models: [...threeModels.models] });
    expect(plans.simple.models).toEqual({ architect: 'claude-sonnet', executor: 'gpt-4o-mini', auditor: 'claude-sonnet', consultant: 'claude-sonnet' });
    expect(plans.complex.models).toEqual({ architect: 'o3', executor: 'o3', auditor: 'claude-sonnet', consultant: 'o3' });
  });

  it('lets the rules decide over a user catalog without naming its models', () => {
    const rules = new RulesPolicy({ guard: new SafetyGuard({ space: new ActionSpace({ models: [...threeModels.models] }) }) });
    const decision = rules.decide(makeInput({ context: { complexity: 'simple' } }));
    expect(decision.action.models.executor).toBe('gpt-4o-mini');
  });
});
