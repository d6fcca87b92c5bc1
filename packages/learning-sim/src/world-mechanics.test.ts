import type { TaskContext } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { defaultWorld } from './default-world';
import {
  backoffMs,
  coordinationFactor,
  phaseFactor,
  rateLimitProbability,
  resourceEfficiency,
  retriesAgain,
  rotatesAgain,
  stepShares,
  violationProbability,
} from './world-mechanics';

const effects = defaultWorld.effects;
const context: TaskContext = { taskType: 'feature', complexity: 'medium', domains: ['backend', 'frontend'], risk: 'medium', estimatedTimeMinutes: 20, skills: [] };

describe('world mechanics', () => {
  it('gives a lone executor the whole prompt and output, and splits the output with overhead between workers', () => {
    expect(stepShares(effects, 'executor', 1)).toEqual({ input: 1, output: 1 });
    for (const workers of [2, 3, 4]) {
      const shares = stepShares(effects, 'executor', workers);
      expect(shares.output * workers).toBeCloseTo(1 + effects.parallelOverhead * (workers - 1), 12);
      expect(shares.input).toBeGreaterThan(1 / workers);
      expect(shares.input).toBeLessThan(1);
    }
    expect(stepShares(effects, 'auditor', 3)).toEqual(effects.roleTokens.auditor);
  });

  it('raises the 429 probability with load past the threshold and lowers it on each retry', () => {
    const limit = { base: 0.02, threshold: 0.6, slope: 0.4 };
    expect(rateLimitProbability(limit, 0.5, 0, 0.5)).toBe(0.02);
    expect(rateLimitProbability(limit, 0.8, 0, 0.5)).toBeGreaterThan(0.02);
    expect(rateLimitProbability(limit, 0.8, 1, 0.5)).toBeCloseTo(rateLimitProbability(limit, 0.8, 0, 0.5) / 2, 12);
    expect(rateLimitProbability({ base: 0.9, threshold: 0.1, slope: 5 }, 1, 0, 1)).toBe(1);
  });

  it('retries and rotates only under their strategy and within the world limits', () => {
    const { maxRetries, maxRotations } = effects.retries;
    expect(retriesAgain('retry_with_backoff', effects, maxRetries - 1)).toBe(true);
    expect(retriesAgain('retry_with_backoff', effects, maxRetries)).toBe(false);
    expect(retriesAgain('fallback', effects, 0)).toBe(false);
    expect(rotatesAgain('fallback', effects, maxRotations - 1, 3)).toBe(true);
    expect(rotatesAgain('fallback', effects, maxRotations, 3)).toBe(false);
    expect(rotatesAgain('fallback', effects, 0, 1)).toBe(false);
    expect(rotatesAgain('fail_fast', effects, 0, 3)).toBe(false);
    expect(backoffMs(effects, 2)).toBe(effects.retries.backoffMs * 4);
  });

  it('mitigates integration risk only for coordinated splits, more with a plan', () => {
    expect(coordinationFactor(effects, 'parallel', true)).toBe(1);
    expect(coordinationFactor(effects, 'coordinated', true)).toBe(effects.coordinationWithArchitect);
    expect(coordinationFactor(effects, 'coordinated', false)).toBe(effects.coordinationWithoutArchitect);
    expect(phaseFactor(effects, 'strict', 'coordinated')).toBe(phaseFactor(effects, 'strict', 'parallel') + effects.coordinationTimeOverhead);
  });

  it('makes violations rarer with a review and more likely with more workers; clamps efficiency to [0, 1]', () => {
    const alone = violationProbability(effects, context, 'balanced', 1, 1, 1);
    expect(violationProbability(effects, context, 'balanced', 1, effects.safety.auditorFactor, 1)).toBeLessThan(alone);
    expect(violationProbability(effects, context, 'balanced', 1, 1, 3)).toBeCloseTo(alone * 1.5, 12);
    expect(resourceEfficiency(effects, context, 0)).toBe(1);
    expect(resourceEfficiency(effects, context, 1e9)).toBe(0);
  });
});
