import { createRng } from '@orchestra/learning-features';
import type { Action, SystemState } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from './default-world';
import { runSession, type SimulatedSession } from './session-player';
import type { SimulatedTask } from './task-sampler';
import { actionWith, taskWith } from './test-support';

interface Summary {
  success: number;
  violations: number;
  durationMs: number;
  costUsd: number;
  errors: Record<string, number>;
  rotations: number;
  caught: number;
  edits: number;
}

/** Means over `count` sessions with a pinned seed (same seeds for every action compared). */
function summarise(task: SimulatedTask, action: Action, count = 3000, system?: SystemState): Summary {
  const summary: Summary = { success: 0, violations: 0, durationMs: 0, costUsd: 0, errors: {}, rotations: 0, caught: 0, edits: 0 };
  for (let index = 0; index < count; index += 1) {
    const result: SimulatedSession = runSession(defaultWorld, task, action, createRng(1000 + index), system === undefined ? {} : { system });
    summary.success += Number(result.outcome.success) / count;
    summary.violations += result.outcome.safetyViolations / count;
    summary.durationMs += result.outcome.durationMs / count;
    summary.costUsd += result.outcome.totalCostUsd / count;
    summary.rotations += result.outcome.fallbackRotations / count;
    summary.caught += result.details.auditorCaught / count;
    summary.edits += result.outcome.userEdits / count;
    for (const step of result.session.workflow) {
      for (const call of step.attempts) {
        if (call.errorCode !== undefined) summary.errors[call.errorCode] = (summary.errors[call.errorCode] ?? 0) + 1 / count;
      }
    }
  }
  return summary;
}

describe('effects of orchestration choices', () => {
  it('strict safety prevents violations on high-risk tasks but costs time', () => {
    const task = taskWith({ taskType: 'security', domains: ['security'], risk: 'high' });
    const permissive = summarise(task, actionWith({ safetyLevel: 'permissive' }));
    const strict = summarise(task, actionWith({ safetyLevel: 'strict' }));
    expect(permissive.violations).toBeGreaterThan(0.2);
    expect(strict.violations).toBeLessThan(permissive.violations / 5);
    expect(strict.durationMs).toBeGreaterThan(permissive.durationMs * 1.1);
  });

  it('a cheap model is fine on simple tasks and fails complex ones', () => {
    const simple = taskWith({ complexity: 'simple', estimatedTimeMinutes: 2 });
    const complex = taskWith({ complexity: 'complex', estimatedTimeMinutes: 12 });
    const cheap = actionWith({ models: { executor: 'glm-4.7' } });
    const strong = actionWith({ models: { executor: 'claude-opus' }, timeoutMultiplier: 2 });
    expect(Math.abs(summarise(simple, cheap).success - summarise(simple, strong).success)).toBeLessThan(0.08);
    expect(summarise(complex, cheap).success).toBeLessThan(summarise(complex, strong).success - 0.3);
    expect(summarise(simple, cheap).costUsd).toBeLessThan(summarise(simple, strong).costUsd / 5);
  });

  it('parallel workers help broad multi-domain tasks and hurt tightly coupled complex ones', () => {
    const broad = taskWith({ taskType: 'feature', domains: ['frontend', 'api', 'database'], complexity: 'medium', estimatedTimeMinutes: 8 });
    const coupled = taskWith({ taskType: 'refactor', domains: ['backend'], complexity: 'complex', estimatedTimeMinutes: 12 });
    const single = actionWith({ approach: 'parallel', parallelism: 1 });
    const three = actionWith({ approach: 'parallel', parallelism: 3 });
    const broadSingle = summarise(broad, single);
    const broadThree = summarise(broad, three);
    expect(broadThree.success).toBeGreaterThan(broadSingle.success + 0.05);
    expect(broadThree.durationMs).toBeLessThan(broadSingle.durationMs * 0.6);
    expect(summarise(coupled, three).success).toBeLessThan(summarise(coupled, single).success - 0.15);
  });

  it('an architect helps complex tasks, and coordination with an architect limits integration failures', () => {
    const complex = taskWith({ complexity: 'complex', domains: ['backend', 'api'], estimatedTimeMinutes: 12 });
    const alone = actionWith({});
    const planned = actionWith({ agents: ['executor', 'architect'], models: { executor: 'gpt-5.2-codex', architect: 'claude-opus' } });
    expect(summarise(complex, planned).success).toBeGreaterThan(summarise(complex, alone).success + 0.1);
    const parallel = actionWith({ approach: 'parallel', parallelism: 3, agents: ['executor', 'architect'], models: { executor: 'gpt-5.2-codex', architect: 'claude-opus' } });
    const coordinated = { ...parallel, approach: 'coordinated' as const };
    expect(summarise(complex, coordinated).success).toBeGreaterThan(summarise(complex, parallel).success + 0.02);
  });

  it('an auditor catches wrong results, and a better reviewer catches more', () => {
    const task = taskWith({ complexity: 'medium' });
    const executorOnly = actionWith({ models: { executor: 'glm-4.7' } });
    const withAuditor = (auditor: string) => actionWith({ agents: ['executor', 'auditor'], models: { executor: 'glm-4.7', auditor } });
    const weakReview = summarise(task, withAuditor('glm-4.7'));
    const strongReview = summarise(task, withAuditor('claude-opus'));
    expect(strongReview.caught).toBeGreaterThan(weakReview.caught);
    expect(strongReview.success).toBeGreaterThan(summarise(task, executorOnly).success + 0.1);
    expect(strongReview.edits).toBeLessThan(summarise(task, executorOnly).edits);
  });

  it('load brings 429s on the cheap provider; fallback rotates away from them and from context overflows', () => {
    const task = taskWith({ complexity: 'medium' });
    const glm = actionWith({ models: { executor: 'glm-4.7' }, retryStrategy: 'fail_fast' });
    const idle = summarise(task, glm, 3000, { concurrentTasks: 0, load: 0.1, agentAvailability: {} });
    const busy = summarise(task, glm, 3000, { concurrentTasks: 8, load: 1, agentAvailability: {} });
    expect(busy.errors.RATE_LIMIT_429 ?? 0).toBeGreaterThan(5 * (idle.errors.RATE_LIMIT_429 ?? 0) + 0.1);
    const fallback = summarise(task, { ...glm, retryStrategy: 'fallback' }, 3000, { concurrentTasks: 8, load: 1, agentAvailability: {} });
    expect(fallback.success).toBeGreaterThan(busy.success + 0.1);
    expect(fallback.rotations).toBeGreaterThan(0.1);

    const huge = taskWith({ complexity: 'complex', domains: ['backend', 'api', 'database'], estimatedTimeMinutes: 12 });
    const overflow = summarise(huge, actionWith({ models: { executor: 'glm-4.7' }, retryStrategy: 'retry_with_backoff' }));
    expect(overflow.errors.CONTEXT_EXCEEDED ?? 0).toBeGreaterThan(0.2);
    const rotated = summarise(huge, actionWith({ models: { executor: 'glm-4.7' }, retryStrategy: 'fallback' }));
    expect(rotated.rotations).toBeGreaterThan(0.2);
    expect(rotated.success).toBeGreaterThan(overflow.success + 0.1);
  });

  it('tight timeouts on a slow model time out more; generous ones cost more tokens', () => {
    const task = taskWith({ complexity: 'medium' });
    const tight = summarise(task, actionWith({ models: { executor: 'claude-opus' }, timeoutMultiplier: 0.5, retryStrategy: 'fail_fast' }));
    const generous = summarise(task, actionWith({ models: { executor: 'claude-opus' }, timeoutMultiplier: 2, retryStrategy: 'fail_fast' }));
    expect(tight.errors.TIMEOUT ?? 0).toBeGreaterThan((generous.errors.TIMEOUT ?? 0) + 0.2);
    expect(generous.success).toBeGreaterThan(tight.success);
    const fastModel = summarise(task, actionWith({ models: { executor: 'glm-4.7' }, timeoutMultiplier: 2, retryStrategy: 'fail_fast' }));
    const fastTight = summarise(task, actionWith({ models: { executor: 'glm-4.7' }, timeoutMultiplier: 0.75, retryStrategy: 'fail_fast' }));
    expect(fastModel.costUsd).toBeGreaterThan(fastTight.costUsd);
  });
});
