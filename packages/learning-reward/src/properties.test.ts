import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeReward, rewardBounds } from './bounds';
import { experienceReward } from './experience-reward';
import { sessionReward } from './session-reward';

const models = ['glm-4.7', 'kimi-k2.5', 'gpt-5.2-codex', 'claude-opus'];

const usageArbitrary = fc.record({
  modelId: fc.constantFrom(...models),
  tokensUsed: fc.nat(200_000),
  latencyMs: fc.double({ min: 0, max: 120_000, noNaN: true }),
  success: fc.boolean(),
  estimatedCost: fc.double({ min: 0, max: 2, noNaN: true }),
});

const sessionArbitrary = fc.record({
  workflow: fc.array(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      agentRole: fc.constantFrom('architect', 'executor', 'auditor', 'consultant'),
      status: fc.constantFrom('completed', 'failed', 'skipped'),
      attempts: fc.array(usageArbitrary, { maxLength: 30 }),
    }),
    { maxLength: 15 },
  ),
  globalMetrics: fc.record({
    totalCostEstimate: fc.double({ min: 0, max: 5, noNaN: true }),
    totalTokens: fc.nat(1_000_000),
    totalAttempts: fc.nat(200),
    avgLatencyMs: fc.double({ min: 0, max: 120_000, noNaN: true }),
    fallbackRotations: fc.nat(40),
  }),
  phase: fc.constantFrom('planning', 'executing', 'auditing', 'completed', 'failed'),
});

const outcomeArbitrary = fc.record({
  success: fc.boolean(),
  durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
  estimatedDurationMs: fc.double({ min: 1, max: 1e7, noNaN: true }),
  resourceEfficiency: fc.double({ min: 0, max: 1, noNaN: true }),
  errorCount: fc.nat(30),
  userEdits: fc.nat(20),
  safetyViolations: fc.nat(6),
  testsPassed: fc.constantFrom(true, false, null),
  totalCostUsd: fc.double({ min: 0, max: 5, noNaN: true }),
  fallbackRotations: fc.nat(30),
  models: fc.array(fc.record({ model: fc.constantFrom(...models), attempts: fc.nat(20), successes: fc.nat(20) }), { maxLength: 4 }),
});

const sumOf = (components: Record<string, number>) => Object.values(components).reduce((total, value) => total + value, 0);
const bounds = rewardBounds();
const seedOptions = { seed: 20261125, numRuns: 300 };

describe('reward properties', () => {
  /** The reward's components sum exactly to its total, which lies within `range`; returns the total. */
  const expectConsistent = (reward: { total: number; components: Record<string, number> }, range: { min: number; max: number }) => {
    expect(reward.total).toBe(sumOf(reward.components));
    expect(reward.total).toBeGreaterThanOrEqual(range.min);
    expect(reward.total).toBeLessThanOrEqual(range.max);
    return reward.total;
  };

  it('session: components sum exactly to the total, which lies within the bounds and normalises into [-1, 1]', () => {
    fc.assert(
      fc.property(sessionArbitrary, (session) => {
        const total = expectConsistent(sessionReward(session), bounds.session);
        expect(Math.abs(normalizeReward(total, bounds.session))).toBeLessThanOrEqual(1);
      }),
      seedOptions,
    );
  });

  it('experience: components sum exactly to the total, which lies within the bounds', () => {
    fc.assert(
      fc.property(outcomeArbitrary, (outcome) => void expectConsistent(experienceReward(outcome), bounds.experience)),
      seedOptions,
    );
  });

  it('a success never scores below the same session or outcome failed', () => {
    fc.assert(
      fc.property(sessionArbitrary, outcomeArbitrary, (session, outcome) => {
        expect(sessionReward({ ...session, phase: 'completed' }).total).toBeGreaterThanOrEqual(
          sessionReward({ ...session, phase: 'failed' }).total,
        );
        expect(experienceReward({ ...outcome, success: true }).total).toBeGreaterThanOrEqual(
          experienceReward({ ...outcome, success: false }).total,
        );
      }),
      seedOptions,
    );
  });
});
