import { ActionSpace } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { parseTrainerConfig } from '../config/trainer-config';
import { buildExperienceDataset } from './experience-dataset';
import { behaviourCloning, offlineObjective, type ObjectiveBatch, type WeightTotals } from './offline-objectives';
import { syntheticExperiences } from './test-support/synthetic-experiences';

const dataset = buildExperienceDataset(syntheticExperiences({ count: 40, seed: 4, exploration: 1, stateSize: 15 }), { actionSpace: new ActionSpace() });
const rows = Int32Array.from({ length: 8 }, (_, index) => index);

function batchWith(logProbabilities: number[]): ObjectiveBatch {
  return { count: logProbabilities.length, rows, start: 0, logProbabilities: () => Float64Array.from(logProbabilities) };
}

describe('offline objectives', () => {
  it('clone with unit weights and no entropy bonus', () => {
    const totals: WeightTotals = { weightSum: 0, clipped: 0 };
    const advantages = Float64Array.from([0.5, -2, 3]);
    const cloning = behaviourCloning(dataset);
    cloning.weigh(batchWith([0, 0, 0]), advantages, totals);
    expect([...advantages]).toEqual([1, 1, 1]);
    expect(totals).toEqual({ weightSum: 3, clipped: 0 });
    expect(cloning.entropyCoefficient).toBe(0);
    expect(cloning.actions).toBe(dataset);
  });

  it('importance-weighted: clipped ratios π/μ, self-normalised to mean 1 within the batch', () => {
    const config = parseTrainerConfig({ offline: { objective: 'importance-weighted', importanceWeightClip: 2 } });
    const objective = offlineObjective(config, dataset, undefined);
    const logProbabilities = Array.from(rows, (row) => Math.log(dataset.propensities[row]! * (row % 2 === 0 ? 0.5 : 4)));
    const totals: WeightTotals = { weightSum: 0, clipped: 0 };
    const advantages = new Float64Array(8).fill(1);
    objective.weigh(batchWith(logProbabilities), advantages, totals);
    expect(totals.clipped).toBe(4);
    expect(totals.weightSum).toBeCloseTo(4 * 0.5 + 4 * 4, 9);
    expect(advantages.reduce((sum, value) => sum + value, 0) / 8).toBeCloseTo(1, 12);
    expect(advantages[1]! / advantages[0]!).toBeCloseTo(4, 9);
  });

  it('advantage-weighted: exponentiated standardised advantages, clipped; q-distillation needs its targets', () => {
    const config = parseTrainerConfig({ offline: { objective: 'advantage-weighted', advantageWeightClip: 5 } });
    const objective = offlineObjective(config, dataset, undefined);
    const totals: WeightTotals = { weightSum: 0, clipped: 0 };
    const advantages = Float64Array.from([-1, 0, 1, 10]);
    objective.weigh(batchWith([0, 0, 0, 0]), advantages, totals);
    expect(advantages[0]!).toBeLessThan(advantages[1]!);
    expect(advantages[3]!).toBe(5);
    expect(totals.clipped).toBeGreaterThanOrEqual(1);
    expect(() => offlineObjective(parseTrainerConfig({ offline: { objective: 'q-distillation' } }), dataset, undefined)).toThrow(/targets/);
  });
});
