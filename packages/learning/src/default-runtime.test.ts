import type { Policy } from '@orchestra/learning-policy';
import { describe, expect, it } from 'vitest';
import { DefaultLearningRuntime } from './default-runtime';
import type { PolicyInput } from './learning-runtime';

const input = (sessionId: string): PolicyInput => ({
  context: { taskType: 'feature', domains: ['backend'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 30, skills: [] },
  system: { concurrentTasks: 0, load: 0.1, agentAvailability: {} },
  sessionId,
  costWeight: 1,
});

/** A learned policy that always fails: every learned decision falls back to the rules. */
const broken: Policy = {
  decide: () => {
    throw new Error('the model is broken');
  },
};

describe('DefaultLearningRuntime.decide', () => {
  it('counts a learned-arm session that fell back to the rules for the learned arm (intention to treat)', () => {
    const runtime = new DefaultLearningRuntime({ seed: 1 });
    runtime.router.setLearnedPolicy(broken);
    const decision = runtime.decide(input('session-1'), { mode: 'ab_test', abFraction: 1 });
    expect(decision.source).toBe('rules');
    expect(decision.fallbackReason).toBe('policy-error');
    expect(decision.arm).toBe('learned');
  });

  it('counts a rules-arm session for the rules arm, and outside ab_test names the policy that acted', () => {
    const runtime = new DefaultLearningRuntime({ seed: 1 });
    runtime.router.setLearnedPolicy(broken);
    expect(runtime.decide(input('session-2'), { mode: 'ab_test', abFraction: 0 }).arm).toBe('rules');
    const production = runtime.decide(input('session-3'), { mode: 'production', abFraction: 0 });
    expect([production.source, production.arm, production.fallbackReason]).toEqual(['rules', 'rules', 'policy-error']);
  });
});
