import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGsm8k, loadMmlu } from './data';
import { averagePerformanceGapRecovered, oracleScores, randomRouterCurve, referenceAccuracies, routingCurve, strongShareToReach } from './metrics';

const dataDirectory = join(import.meta.dirname, '..', 'data');

describe('RouteLLM data', () => {
  it('reproduces the decontaminated MMLU figures of SOURCE.md (14,037 rows, 0.6809 / 0.8059, oracle 8.5 %)', () => {
    const items = loadMmlu(dataDirectory);
    expect(items).toHaveLength(14_037);
    const reference = referenceAccuracies(items);
    expect(reference.weak).toBeCloseTo(0.6809, 4);
    expect(reference.strong).toBeCloseTo(0.8059, 4);
    expect(reference.oracle).toBeCloseTo(0.8587, 4);
    const oracleCurve = routingCurve(items, oracleScores(items));
    expect(strongShareToReach(oracleCurve, 0.95 * reference.strong)).toBeCloseTo(0.085, 3);
  });

  it('reproduces the decontaminated GSM8K figures (1,307 rows, 0.6373 / 0.8577, oracle 17.8 %)', () => {
    const items = loadGsm8k(dataDirectory);
    expect(items).toHaveLength(1_307);
    const reference = referenceAccuracies(items);
    expect(reference.weak).toBeCloseTo(0.6373, 4);
    expect(reference.strong).toBeCloseTo(0.8577, 4);
    expect(strongShareToReach(routingCurve(items, oracleScores(items)), 0.95 * reference.strong)).toBeCloseTo(0.1775, 3);
  });

  it('gives a random router an APGR of 0.5 and the 95 % point at the linear share', () => {
    const curve = randomRouterCurve(0.6, 0.8);
    expect(averagePerformanceGapRecovered(curve, 0.6, 0.8)).toBeCloseTo(0.5, 10);
    expect(strongShareToReach(curve, 0.95 * 0.8)).toBeCloseTo(0.8, 10);
  });
});
