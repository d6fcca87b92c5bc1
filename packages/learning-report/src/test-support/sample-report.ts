import { makeExperience } from '@orchestra/learning-collector/testing';
import type { Experience } from '@orchestra/learning-types';
import type { ReportExtrasInput } from '../report-input';

/**
 * The `index`-th session of a seeded run that goes shadow → ab_test → production: the rules serve the first third,
 * the learned policy a growing share after (for tests and the bench; the same (seed, index, total) gives the same record).
 */
export function sampleSession(seed: number, index: number, total: number): Experience {
  return { ...makeExperience(seed, index), ...sampleSession.shape(index, total) };
}

/** Time, mode and serving policy of the `index`-th of `total` sessions (the run's shape, without the session). */
sampleSession.shape = (index: number, total: number): Pick<Experience, 'timestamp' | 'mode' | 'policy'> => {
  const phase = index < total / 3 ? 'shadow' : index < total / 2 ? 'ab_test' : 'production';
  const learned = phase === 'production' ? index % 10 !== 0 : phase === 'ab_test' ? index % 4 === 0 : false;
  return { timestamp: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(), mode: phase, policy: { source: learned ? 'learned' : 'rules', version: learned ? 'demo-v2' : 'rules-1' } };
};

/** Everything the demo passes beyond the experiences, for a run of `total` sessions. */
export function sampleExtras(total: number): ReportExtrasInput {
  const at = (share: number) => Math.round(total * share);
  return {
    deployed: { model: 'demo-v2', mode: 'production' },
    heldOut: {
      description: '1,000 fresh simulated tasks',
      policies: [
        { name: 'rules', meanReward: 120.1, ci: [118, 122.2], successRate: 0.8, costPerSession: 0.12 },
        { name: 'learned', meanReward: 124.4, ci: [122.1, 126.5], successRate: 0.82, costPerSession: 0.1 },
        { name: 'oracle', meanReward: 131, ci: [129, 133], successRate: 0.88, costPerSession: 0.09 },
      ],
      difference: { mean: 4.3, ci: [1.4, 7.2] },
    },
    gates: [
      { model: 'demo-v1', sessionsSeen: at(1 / 3), estimator: 'doubly-robust', learned: { value: 119, ci: [115, 123], effectiveSampleSize: 180 }, rules: { value: 120, ci: [118, 122], effectiveSampleSize: 400 }, difference: { value: -1, ci: [-4, 2] }, verdict: 'refused', reason: 'lower end of the CI not above 0', deployed: false },
      { model: 'demo-v2', sessionsSeen: at(0.4), estimator: 'doubly-robust', learned: { value: 125, ci: [122, 128], effectiveSampleSize: 210 }, rules: { value: 120, ci: [118, 122], effectiveSampleSize: 400 }, difference: { value: 5, ci: [1, 9] }, verdict: 'passed', reason: null, deployed: true },
    ],
    costWeightCurve: [0, 0.5, 1, 2, 4].map((costWeight) => ({ costWeight, successRate: 0.84 - costWeight * 0.02, costPerSession: 0.13 - costWeight * 0.015 })),
    events: [
      { session: at(1 / 3), kind: 'refused', message: 'demo-v1 refused by the deploy gate' },
      { session: at(0.4), kind: 'deploy', message: 'demo-v2 deployed' },
      { session: at(0.42), kind: 'ramp', message: 'A/B fraction 10 % → 25 %' },
      { session: at(0.45), kind: 'breach', message: 'guardrail breach; back to 10 %' },
      { session: at(0.7), kind: 'drift', message: 'drift: glm-4.7 errorRate up' },
    ],
    heldOutCurve: [
      { sessionsSeen: 0, rules: 120, learned: 120, oracle: 131 },
      { sessionsSeen: at(1 / 3), rules: 120, learned: 119, oracle: 131 },
      { sessionsSeen: at(0.4), rules: 120, learned: 124.4, oracle: 131 },
    ],
  };
}
