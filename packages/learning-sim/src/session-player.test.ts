import { createRng } from '@orchestra/learning-features';
import { experienceReward, sessionReward } from '@orchestra/learning-reward';
import { enhancedSessionStateSchema, outcomeSchema, type Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from './default-world';
import { UnknownModelError } from './errors/unknown-model-error';
import { runSession } from './session-player';
import { sampleTask, type SimulatedTask } from './task-sampler';

const teamAction: Action = {
  skills: [],
  agents: ['executor', 'architect', 'auditor', 'consultant'],
  approach: 'coordinated',
  parallelism: 3,
  timeoutMultiplier: 1,
  retryStrategy: 'fallback',
  safetyLevel: 'balanced',
  models: { executor: 'glm-4.7', architect: 'claude-opus', auditor: 'kimi-k2.5', consultant: 'gpt-5.2-codex' },
};

describe('runSession', () => {
  it('returns the same session and outcome for the same seed', () => {
    const play = (seed: number) => {
      const rng = createRng(seed);
      const task = sampleTask(defaultWorld, rng);
      return runSession(defaultWorld, task, teamAction, rng, { sessionId: 'fixed' });
    };
    expect(play(7)).toEqual(play(7));
    expect(play(7)).not.toEqual(play(8));
  });

  it('produces sessions and outcomes that validate and that the reward package scores', () => {
    const rng = createRng(11);
    const errorCodes = new Set<string>();
    let rotations = 0;
    for (let index = 0; index < 400; index += 1) {
      const task = sampleTask(defaultWorld, rng);
      const { session, outcome } = runSession(defaultWorld, task, teamAction, rng);
      expect(enhancedSessionStateSchema.safeParse(session).success).toBe(true);
      expect(outcomeSchema.safeParse(outcome).success).toBe(true);
      const usage = session.workflow.flatMap((step) => step.attempts);
      expect(session.globalMetrics.totalAttempts).toBe(usage.length);
      expect(session.globalMetrics.totalCostEstimate).toBeCloseTo(usage.reduce((sum, call) => sum + (call.estimatedCost ?? 0), 0), 9);
      expect(outcome.errorCount).toBe(usage.filter((call) => !call.success).length);
      for (const call of usage) if (call.errorCode !== undefined) errorCodes.add(call.errorCode);
      rotations += outcome.fallbackRotations;
      expect(Number.isFinite(experienceReward(outcome).total)).toBe(true);
      expect(Number.isFinite(sessionReward(session).total)).toBe(true);
    }
    expect([...errorCodes].sort()).toEqual(['API_ERROR', 'CONTEXT_EXCEEDED', 'RATE_LIMIT_429', 'TIMEOUT']);
    expect(rotations).toBeGreaterThan(0);
  });

  it('records team members a direct session leaves out as skipped steps', () => {
    const rng = createRng(3);
    const task = sampleTask(defaultWorld, rng);
    const { session } = runSession(defaultWorld, task, { ...teamAction, approach: 'direct', parallelism: 1 }, rng);
    expect(session.workflow.filter((step) => step.status === 'skipped').map((step) => step.agentRole)).toEqual([
      'architect',
      'auditor',
      'consultant',
    ]);
  });

  it('rejects an action naming a model the world does not have, and an invalid action', () => {
    const rng = createRng(5);
    const task: SimulatedTask = sampleTask(defaultWorld, rng);
    expect(() => runSession(defaultWorld, task, { ...teamAction, models: { ...teamAction.models, executor: 'gpt-2' } }, rng)).toSatisfy(
      (run: () => unknown) => {
        try {
          run();
          return false;
        } catch (error) {
          return UnknownModelError.isInstance(error) && error.model === 'gpt-2' && error.role === 'executor';
        }
      },
    );
    expect(() => runSession(defaultWorld, task, { ...teamAction, timeoutMultiplier: 9 }, rng)).toThrowError(/timeoutMultiplier/);
  });
});
