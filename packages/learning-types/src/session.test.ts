import { describe, expect, it } from 'vitest';
import seed from './__fixtures__/seed-session.json';
import { SESSION_SCHEMA_VERSION, enhancedSessionStateSchema } from './session';
import { parseSessionState } from './versioning';
import { ValidationError } from './errors';

describe('EnhancedSessionState', () => {
  it('parses the seed example workflow with its totals', () => {
    const session = parseSessionState(seed);
    expect(session.schemaVersion).toBe(SESSION_SCHEMA_VERSION);
    expect(session.workflow.map((step) => [step.agent, step.modelUsage[0]?.model])).toEqual([
      ['architect', 'kimi-k2.5'],
      ['executor', 'glm-4.7'],
    ]);
    expect(session.globalMetrics).toMatchObject({ totalCost: 0.055, totalTokens: 3500, totalAttempts: 2, averageLatencyMs: 3750 });
    expect(session.workflow[0]?.modelUsage[0]?.costSource).toBe('unknown');
  });

  it('names the offending field for negative tokens', () => {
    const bad = structuredClone(seed);
    bad.workflow[1]!.modelUsage[0]!.tokensUsed = -5;
    expect(() => parseSessionState(bad)).toThrowError(/workflow\.1\.modelUsage\.0\.tokensUsed/);
  });

  it('rejects NaN latency, an unknown phase and a missing workflow with typed errors', () => {
    const nanLatency = structuredClone(seed) as Record<string, any>;
    nanLatency.workflow[0].modelUsage[0].latencyMs = Number.NaN;
    const unknownPhase = { ...seed, phase: 'dreaming' };
    const { workflow: _workflow, ...noWorkflow } = seed;
    for (const [input, field] of [
      [nanLatency, 'workflow.0.modelUsage.0.latencyMs'],
      [unknownPhase, 'phase'],
      [noWorkflow, 'workflow'],
    ] as const) {
      try {
        parseSessionState(input);
        expect.unreachable();
      } catch (error) {
        expect(ValidationError.isInstance(error)).toBe(true);
        expect((error as ValidationError).field).toBe(field);
      }
    }
  });

  it('accepts optional token breakdowns and the cost source', () => {
    const session = enhancedSessionStateSchema.parse({
      ...seed,
      workflow: [
        {
          ...seed.workflow[0],
          modelUsage: [
            { ...seed.workflow[0]!.modelUsage[0], inputTokens: 1500, outputTokens: 500, cachedTokens: 200, reasoningTokens: 0, costSource: 'provider' },
          ],
        },
      ],
    });
    expect(session.workflow[0]?.modelUsage[0]).toMatchObject({ inputTokens: 1500, costSource: 'provider' });
  });
});
