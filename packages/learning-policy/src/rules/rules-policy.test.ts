import { decisionSchema, type Domain } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { makeInput } from '../test-support/inputs';
import { RulesPolicy } from './rules-policy';

describe('RulesPolicy', () => {
  const rules = new RulesPolicy();

  it('sends a simple task straight to the executor on the cheap model', () => {
    const decision = rules.decide(makeInput({ context: { complexity: 'simple', risk: 'low' } }));
    expect(decision.action).toMatchObject({ agents: ['executor'], approach: 'direct', parallelism: 1, models: { executor: 'glm-4.7' } });
    expect(decision).toMatchObject({ propensity: 1, source: 'rules', policyVersion: 'rules-v1' });
    expect(decisionSchema.safeParse(decision).success).toBe(true);
  });

  it('coordinates a complex task with an architect on the strongest model and an auditor', () => {
    const decision = rules.decide(makeInput({ context: { complexity: 'complex', domains: ['frontend', 'backend', 'api'] } }));
    expect(decision.action).toMatchObject({
      agents: ['architect', 'executor', 'auditor'],
      approach: 'coordinated',
      parallelism: 3,
      models: { architect: 'claude-opus', executor: 'gpt-5.2-codex', auditor: 'kimi-k2.5' },
    });
  });

  it('sets parallelism by domain diversity and load', () => {
    const threeDomains = { complexity: 'medium' as const, domains: ['frontend', 'backend', 'database'] satisfies Domain[] as Domain[] };
    expect(rules.decide(makeInput({ context: threeDomains })).action).toMatchObject({ approach: 'parallel', parallelism: 3 });
    expect(rules.decide(makeInput({ context: threeDomains, system: { load: 0.6 } })).action.parallelism).toBe(2);
    expect(rules.decide(makeInput({ context: threeDomains, system: { load: 0.85 } })).action.parallelism).toBe(1);
  });

  it('sets safety by risk and adds an auditor and a consultant where risk demands', () => {
    expect(rules.decide(makeInput({ context: { risk: 'high' } })).action).toMatchObject({ safetyLevel: 'strict', agents: ['architect', 'executor', 'auditor'] });
    expect(rules.decide(makeInput({ context: { risk: 'low', taskType: 'docs' } })).action.safetyLevel).toBe('permissive');
    expect(rules.decide(makeInput({ context: { risk: 'high', complexity: 'complex' } })).action.agents).toContain('consultant');
    expect(rules.decide(makeInput({ context: { taskType: 'security', risk: 'low', complexity: 'simple' } })).action.agents).toEqual(['executor', 'auditor']);
  });

  it('sets the timeout by estimated time and the retry strategy by model error history', () => {
    const timeout = (minutes: number, complexity: 'simple' | 'complex' = 'simple') =>
      rules.decide(makeInput({ context: { estimatedTimeMinutes: minutes, complexity } })).action.timeoutMultiplier;
    expect([timeout(5), timeout(45), timeout(200), timeout(600), timeout(600, 'complex')]).toEqual([1, 1.25, 1.5, 1.75, 2]);
    const history = { sampleWeight: 10, successRate: 0.8, timeAccuracy: 0.8, resourceEfficiency: 0.5, meanReward: 0.2 };
    const retry = (modelErrorRate: number | undefined, risk: 'low' | 'medium' = 'medium') =>
      rules.decide(makeInput({ context: { risk }, ...(modelErrorRate === undefined ? {} : { history: { ...history, modelErrorRate } }) })).action.retryStrategy;
    expect([retry(undefined), retry(0.4), retry(0.1), retry(0.01, 'low')]).toEqual(['retry_with_backoff', 'fallback', 'retry_with_backoff', 'fail_fast']);
  });

  it('drops an unavailable optional role unless a constraint requires it', () => {
    const input = makeInput({ context: { complexity: 'complex' }, system: { agentAvailability: { auditor: 0, architect: 0 } } });
    expect(rules.decide(input).action.agents).toEqual(['executor']);
    const security = makeInput({ context: { complexity: 'complex', taskType: 'security' }, system: { agentAvailability: { auditor: 0 } } });
    const decision = rules.decide(security);
    expect(decision.action.agents).toContain('auditor');
    expect(decision.explanation.some((line) => line.includes('security-needs-auditor'))).toBe(true);
  });

  it('is configurable, and refuses a model outside the catalog', () => {
    const custom = new RulesPolicy({ config: { plans: { simple: { approach: 'direct', roles: [], models: { architect: 'glm-4.7', executor: 'claude-opus', auditor: 'glm-4.7', consultant: 'glm-4.7' } } }, version: 'rules-custom' } });
    const decision = custom.decide(makeInput({ context: { complexity: 'simple' } }));
    expect(decision.action.models.executor).toBe('claude-opus');
    expect(decision.policyVersion).toBe('rules-custom');
    expect(custom.config.plans.complex.approach).toBe('coordinated');
    expect(() => new RulesPolicy({ config: { plans: { simple: { approach: 'direct', roles: [], models: { architect: 'x', executor: 'nope', auditor: 'x', consultant: 'x' } } } } })).toThrow(/plans\.simple\.models\.architect/);
  });

  it('is deterministic without exploration, and reports the probability of any action', () => {
    const input = makeInput();
    const first = rules.decide(input);
    expect(rules.decide(input)).toEqual(first);
    expect(rules.probabilityOf(first.action, input)).toBe(1);
    expect(rules.probabilityOf({ ...first.action, retryStrategy: 'fallback' }, input)).toBe(0);
    expect(rules.probabilityOf({ ...first.action, retryStrategy: 'fallback' }, input, 0.1)).toBeCloseTo(0.1 / 26, 12);
    // 26 alternatives of the greedy action (architect + executor): approach 3, parallelism 0 (not parallel),
    // timeout 6, retry 2, safety 2, team 7, architect model 3, executor model 3.
  });
});
