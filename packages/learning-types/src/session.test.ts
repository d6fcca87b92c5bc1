import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import seed from './__fixtures__/design-example-session.json';
import versionOne from './__fixtures__/version-1-session.json';
import { SESSION_SCHEMA_VERSION, enhancedSessionStateSchema } from './session';
import { parseSessionState } from './versioning';
import { ValidationError } from './errors';

describe('EnhancedSessionState', () => {
  it('parses the design example session verbatim, keeping every field it carries', () => {
    const session = parseSessionState(seed);
    expect(session.schemaVersion).toBe(SESSION_SCHEMA_VERSION);
    expect(session.workflow.map((step) => [step.agentRole, step.attempts[0]?.modelId, step.attempts[0]?.provider])).toEqual([
      ['architect', 'kimi-k2.5', 'moonshot'],
      ['executor', 'glm-4.7', 'zhipu'],
    ]);
    expect(session.globalMetrics).toMatchObject({
      totalCostEstimate: 0.055,
      startTime: 1768471200000,
      endTime: 1768471207500,
      totalTokens: 3500,
      totalAttempts: 2,
      successfulAttempts: 2,
      failedAttempts: 0,
      avgLatencyMs: 3750,
    });
    expect(session.workflow[1]).toMatchObject({
      filePath: 'src/auth/login.ts',
      outputHash: 'sha256:9b2d44f1',
      startTime: '2026-01-15T10:00:04.500Z',
      endTime: '2026-01-15T10:00:07.500Z',
      duration: 3000,
    });
    expect(session.workflow[0]?.attempts[0]).toMatchObject({ timestamp: '2026-01-15T10:00:04.500Z', estimatedCost: 0.04 });
    expect(session.task).toBe('Add authentication');
  });

  it('keeps an error message and accepts a call without a cost', () => {
    const failing = structuredClone(seed) as Record<string, any>;
    failing.workflow[1].attempts.unshift({
      modelId: 'glm-4.7',
      provider: 'zhipu',
      tokensUsed: 0,
      latencyMs: 120,
      success: false,
      errorCode: 'RATE_LIMIT_429',
      errorMessage: '429 Too Many Requests',
      timestamp: '2026-01-15T10:00:04.600Z',
    });
    const session = parseSessionState(failing);
    expect(session.workflow[1]?.attempts[0]).toMatchObject({ errorCode: 'RATE_LIMIT_429', errorMessage: '429 Too Many Requests' });
    expect(session.workflow[1]?.attempts[0]?.estimatedCost).toBeUndefined();
  });

  it('migrates a version 1 session (with or without its version) to the design names', () => {
    for (const input of [versionOne, { ...versionOne, schemaVersion: 1 }]) {
      const session = parseSessionState(input);
      expect(session.schemaVersion).toBe(SESSION_SCHEMA_VERSION);
      expect(session.workflow.map((step) => [step.agentRole, step.attempts[0]?.modelId])).toEqual([
        ['architect', 'kimi-k2.5'],
        ['executor', 'glm-4.7'],
      ]);
      expect(session.globalMetrics).toMatchObject({ totalCostEstimate: 0.055, avgLatencyMs: 3750, successfulAttempts: 2, failedAttempts: 0 });
    }
  });

  it('names the offending field for negative tokens', () => {
    const bad = structuredClone(seed);
    bad.workflow[1]!.attempts[0]!.tokensUsed = -5;
    expect(() => parseSessionState(bad)).toThrowError(/workflow\.1\.attempts\.0\.tokensUsed/);
  });

  it('rejects NaN latency, an unknown phase and a missing workflow with typed errors', () => {
    const nanLatency = structuredClone(seed) as Record<string, any>;
    nanLatency.workflow[0].attempts[0].latencyMs = Number.NaN;
    const unknownPhase = { ...seed, phase: 'dreaming' };
    const { workflow: _workflow, ...noWorkflow } = seed;
    for (const [input, field] of [
      [nanLatency, 'workflow.0.attempts.0.latencyMs'],
      [unknownPhase, 'phase'],
      [noWorkflow, 'workflow'],
    ] as const) {
      const error = caughtError(() => parseSessionState(input));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('accepts optional token breakdowns and the cost source', () => {
    const session = enhancedSessionStateSchema.parse({
      ...seed,
      workflow: [
        {
          ...seed.workflow[0],
          attempts: [
            { ...seed.workflow[0]!.attempts[0], inputTokens: 1500, outputTokens: 500, cachedTokens: 200, reasoningTokens: 0, costSource: 'provider' },
          ],
        },
      ],
    });
    expect(session.workflow[0]?.attempts[0]).toMatchObject({ inputTokens: 1500, costSource: 'provider' });
  });
});
