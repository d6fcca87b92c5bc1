import { enhancedSessionStateSchema, ValidationError } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { OrchestratorIntegration } from './orchestrator-integration';

const fixedNow = () => new Date('2026-11-25T18:00:00.000Z');

describe('OrchestratorIntegration', () => {
  it('turns step and attempt events into a valid session with running global metrics', () => {
    const tracker = new OrchestratorIntegration({ sessionId: 's-1', now: fixedNow });
    const plan = tracker.stepStarted({ agent: 'architect', description: 'plan' });
    tracker.modelAttempt(plan, { model: 'kimi-k2.5', inputTokens: 1500, outputTokens: 500, latencyMs: 4000, costUsd: 0.04, success: true });
    tracker.stepEnded(plan, 'completed');
    const code = tracker.stepStarted({ agent: 'executor' });
    tracker.modelAttempt(code, { model: 'glm-4.7', tokens: 800, latencyMs: 1000, costUsd: 0.01, success: false, errorCode: 'RATE_LIMIT_429', errorMessage: '429 Too Many Requests' });
    expect(tracker.globalMetrics()).toMatchObject({ totalAttempts: 2, totalTokens: 2800, avgLatencyMs: 2500 });
    tracker.fallbackRotation(code, { from: 'glm-4.7', to: 'gpt-5.2-codex' });
    tracker.modelAttempt(code, { model: 'gpt-5.2-codex', tokens: 1000, latencyMs: 3000, costUsd: 0.05, success: true });
    tracker.stepEnded(code, 'completed');
    const session = tracker.finish();
    expect(enhancedSessionStateSchema.parse(session)).toEqual(session);
    expect(session.phase).toBe('completed');
    expect(session.sessionId).toBe('s-1');
    expect(session.globalMetrics).toEqual({
      totalCostEstimate: 0.1,
      startTime: Date.parse('2026-11-25T18:00:00.000Z'),
      endTime: Date.parse('2026-11-25T18:00:00.000Z'),
      totalTokens: 3800,
      totalAttempts: 3,
      successfulAttempts: 2,
      failedAttempts: 1,
      avgLatencyMs: 8000 / 3,
      fallbackRotations: 1,
      modelUsageCounts: { 'kimi-k2.5': 1, 'glm-4.7': 1, 'gpt-5.2-codex': 1 },
    });
    expect(session.workflow[1]!.attempts.map((usage) => usage.attempt)).toEqual([1, 2]);
    expect(session.workflow[1]!.attempts[0]).toMatchObject({ errorCode: 'RATE_LIMIT_429', errorMessage: '429 Too Many Requests' });
    expect(session.workflow[1]).toMatchObject({ agentRole: 'executor', startTime: '2026-11-25T18:00:00.000Z', endTime: '2026-11-25T18:00:00.000Z', duration: 0 });
  });

  it("accepts the design's names for steps and attempts (agentRole, modelId, tokensUsed, estimatedCost, filePath)", () => {
    const tracker = new OrchestratorIntegration({ now: fixedNow });
    const step = tracker.stepStarted({ agentRole: 'executor', filePath: 'src/auth/login.ts' });
    tracker.modelAttempt(step, { modelId: 'glm-4.7', provider: 'zhipu', tokensUsed: 1500, latencyMs: 3000, success: true, estimatedCost: 0.015 });
    tracker.stepEnded(step, 'completed');
    const session = tracker.finish();
    expect(session.workflow[0]).toMatchObject({ agentRole: 'executor', filePath: 'src/auth/login.ts', attempts: [{ modelId: 'glm-4.7', provider: 'zhipu', tokensUsed: 1500, estimatedCost: 0.015, costSource: 'provider' }] });
    expect(session.globalMetrics.totalCostEstimate).toBe(0.015);
    const open = new OrchestratorIntegration();
    expect(() => open.stepStarted({ id: 'x' })).toThrow(/agent \(or agentRole\) is required/);
    const started = open.stepStarted({ agentRole: 'auditor' });
    expect(() => open.modelAttempt(started, { latencyMs: 1, success: true })).toThrow(/model \(or modelId\) is required/);
  });

  it('keeps the finish reason, the token breakdown and a price-table cost source', () => {
    const tracker = new OrchestratorIntegration({ now: fixedNow });
    const step = tracker.stepStarted({ agent: 'executor' });
    tracker.modelAttempt(step, { model: 'glm-4.7', inputTokens: 100, outputTokens: 40, cachedTokens: 30, reasoningTokens: 10, latencyMs: 5, costUsd: 0.002, costSource: 'price_table', success: true, finishReason: 'tool-calls' });
    tracker.modelAttempt(step, { model: 'glm-4.7', tokens: 10, latencyMs: 5, costUsd: 0.001, success: true });
    tracker.stepEnded(step, 'completed');
    const session = tracker.finish();
    expect(enhancedSessionStateSchema.parse(session)).toEqual(session);
    expect(session.workflow[0]!.attempts[0]).toMatchObject({ tokensUsed: 140, cachedTokens: 30, reasoningTokens: 10, costSource: 'price_table', finishReason: 'tool-calls' });
    expect(session.workflow[0]!.attempts[1]).toMatchObject({ costSource: 'provider' });
    expect(session.workflow[0]!.attempts[1]!.finishReason).toBeUndefined();
    expect(() => tracker.modelAttempt(step, { model: 'm', latencyMs: 1, success: true, costSource: 'guess' as 'provider' })).toThrow(/finished/);
    const open = new OrchestratorIntegration();
    const other = open.stepStarted({ agent: 'executor' });
    expect(() => open.modelAttempt(other, { model: 'm', latencyMs: 1, success: true, costSource: 'guess' as 'provider' })).toThrow(ValidationError);
  });

  it('ends as failed when a step failed or was left running', () => {
    const tracker = new OrchestratorIntegration();
    tracker.stepStarted({ agent: 'executor' });
    const session = tracker.finish();
    expect(session.phase).toBe('failed');
    expect(session.workflow[0]!.status).toBe('failed');
    expect(() => tracker.stepStarted({ agent: 'auditor' })).toThrow(/finished/);
  });

  it('rejects bad events without changing the state', () => {
    const tracker = new OrchestratorIntegration();
    const step = tracker.stepStarted({ agent: 'executor' });
    expect(() => tracker.modelAttempt(step, { model: 'm', latencyMs: -1, success: true })).toThrow(ValidationError);
    expect(() => tracker.modelAttempt(step, { model: 'm', latencyMs: 1, success: false, errorCode: 'OOPS' as 'TIMEOUT' })).toThrow(ValidationError);
    expect(() => tracker.modelAttempt('nope', { model: 'm', latencyMs: 1, success: true })).toThrow(/unknown step id/);
    expect(() => tracker.stepStarted({ agent: 'boss' as 'executor' })).toThrow(ValidationError);
    expect(tracker.globalMetrics().totalAttempts).toBe(0);
  });
});
