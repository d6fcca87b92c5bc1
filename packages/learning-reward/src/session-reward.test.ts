import { ValidationError, parseSessionState } from '@orchestra/learning-types';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import seed from './__fixtures__/design-example-session.json';
import versionOne from './__fixtures__/version-1-session.json';
import { parsedSessionReward, sessionReward } from './session-reward';

const sumOf = (components: Record<string, number>) => Object.values(components).reduce((total, value) => total + value, 0);

describe('sessionReward', () => {
  it('scores the design example session exactly 195 = 100 + 50 + 10 + 20 + 15', () => {
    const reward = sessionReward(seed);
    expect(reward.total).toBe(195);
    expect(reward.components).toEqual({
      outcome: 100,
      sessionCost: 50,
      cheapModelSuccesses: 10,
      expensiveModelOveruse: 0,
      fallbackRotations: 0,
      timeEfficiency: 20,
      failedSteps: 15,
    });
    expect(reward.capped).toEqual([]);
  });

  it('penalises a failed session, failed steps, fallback rotations and slow calls', () => {
    const failed = structuredClone(seed);
    failed.phase = 'failed';
    failed.workflow[1]!.status = 'failed';
    failed.globalMetrics.fallbackRotations = 2;
    failed.globalMetrics.avgLatencyMs = 45_000;
    const reward = sessionReward(failed);
    expect(reward.components).toMatchObject({ outcome: -100, failedSteps: -10, fallbackRotations: -20, timeEfficiency: 10 });
    expect(reward.total).toBe(sumOf(reward.components));
  });

  it('charges −5 per expensive-model use beyond 3 and −20 for a session above 0.50 USD', () => {
    const expensive = structuredClone(seed) as any;
    expensive.workflow[1].attempts = Array.from({ length: 5 }, (_, index) => ({
      modelId: 'gpt-5.2-codex',
      tokensUsed: 1000,
      latencyMs: 2000,
      success: index === 4,
      estimatedCost: 0.2,
      attempt: index + 1,
    }));
    expensive.globalMetrics.totalCostEstimate = 1.04;
    const reward = sessionReward(expensive);
    expect(reward.components.expensiveModelOveruse).toBe(-10);
    expect(reward.components.sessionCost).toBe(-20);
    expect(reward.components.cheapModelSuccesses).toBe(0);
  });

  it('reports a count beyond its cap instead of clamping silently', () => {
    const rotating = structuredClone(seed);
    rotating.globalMetrics.fallbackRotations = 25;
    const reward = sessionReward(rotating);
    expect(reward.components.fallbackRotations).toBe(-100);
    expect(reward.capped).toEqual(['fallbackRotations: 25 counted as 10']);
  });

  it('uses the configured weights and model patterns', () => {
    const reward = sessionReward(seed, { cheapModelPatterns: ['kimi', 'glm'], cost: { cheapModelSuccessBonus: 1 } });
    expect(reward.components.cheapModelSuccesses).toBe(2);
  });

  it('scores a version 1 session (the earlier field names) the same 195', () => {
    expect(sessionReward(versionOne).total).toBe(195);
  });

  it('takes tiers from the catalog: a cheap-tier model earns the cheap bonus, an expensive one its overuse penalty', () => {
    const models = [
      { id: 'kimi-k2.5', provider: 'moonshot', tier: 'cheap', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.003 },
      { id: 'glm-4.7', provider: 'zhipu', tier: 'expensive', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.0022 },
    ] as const;
    const reward = sessionReward(seed, { models: [...models], cost: { expensiveModelFreeUses: 0 } });
    expect(reward.components.cheapModelSuccesses).toBe(10);
    expect(reward.components.expensiveModelOveruse).toBe(-5);
    const custom = structuredClone(seed) as any;
    custom.workflow[1].attempts[0].modelId = 'my-local-llama';
    expect(sessionReward(custom).components.cheapModelSuccesses).toBe(0);
    expect(
      sessionReward(custom, { models: [{ id: 'my-local-llama', provider: 'ollama', tier: 'cheap', inputPricePer1kTokens: 0, outputPricePer1kTokens: 0 }] })
        .total,
    ).toBe(195);
  });

  it('gives a still-running session no outcome term', () => {
    expect(sessionReward({ ...seed, phase: 'executing' }).components.outcome).toBe(0);
  });

  it.each([
    ['NaN latency', (session: any) => (session.globalMetrics.avgLatencyMs = Number.NaN), 'globalMetrics.avgLatencyMs'],
    ['negative tokens', (session: any) => (session.workflow[0].attempts[0].tokensUsed = -1), 'workflow.0.attempts.0.tokensUsed'],
    ['an unknown phase', (session: any) => (session.phase = 'paused'), 'phase'],
    ['a missing workflow', (session: any) => delete session.workflow, 'workflow'],
  ])('throws a ValidationError naming the field for %s', (_label, corrupt, field) => {
    const bad = structuredClone(seed);
    corrupt(bad);
    const error = caughtError(() => sessionReward(bad));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).field).toBe(field);
  });

  it('gives the same breakdown from a parsed session without parsing it again (parsedSessionReward)', () => {
    const failed = structuredClone(seed);
    failed.phase = 'failed';
    failed.workflow[1]!.status = 'failed';
    for (const session of [seed, failed, versionOne]) {
      expect(parsedSessionReward(parseSessionState(session))).toEqual(sessionReward(session));
      expect(parsedSessionReward(parseSessionState(session), { session: { completed: 50 } })).toEqual(sessionReward(session, { session: { completed: 50 } }));
    }
  });

  it('rejects an invalid configuration naming the field', () => {
    expect(() => sessionReward(seed, { caps: { failedSteps: -1 } })).toThrowError(/caps\.failedSteps/);
  });
});
