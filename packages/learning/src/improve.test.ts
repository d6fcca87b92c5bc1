import { describe, expect, it } from 'vitest';
import { improvePolicy, type Improvable } from './improve';
import type { CandidateModel, DeployedModel } from './learning-state';
import type { TrainReport } from './train';

function report(beatsRules: boolean | null, difference = beatsRules ? { value: 6, lower: 1, upper: 11 } : { value: -1, lower: -9, upper: 7 }): TrainReport {
  return {
    version: 'v7',
    output: '/data/candidates/v7',
    experiences: 500,
    trainingSize: 400,
    validationSize: 100,
    epochs: 10,
    plannedEpochs: 25,
    bestEpoch: 8,
    stoppedEarly: true,
    warnings: [],
    metricsPath: null,
    ope:
      beatsRules === null
        ? null
        : {
            estimator: 'doubly-robust',
            confidence: 0.95,
            sampleSize: 100,
            target: { value: 50 + difference.value, lower: 45, upper: 60 },
            baseline: { value: 50, lower: 45, upper: 55 },
            difference,
            targetBeatsBaseline: beatsRules,
          },
    opeError: beatsRules === null ? 'too little overlap' : null,
    beatsRules,
    verdict: beatsRules === null ? 'not-evaluated' : beatsRules ? 'beats-rules' : 'does-not-beat-rules',
    critic: null,
    wallTimeMs: 1,
  };
}

/** A manager double that records what the step asked of it. */
function manager(beatsRules: boolean | null, options: { difference?: { value: number; lower: number; upper: number }; candidate?: CandidateModel | null; candidateShare?: number } = {}) {
  const calls: string[] = [];
  let mode: Improvable['mode'] = 'shadow';
  let fraction = 0;
  let candidate = options.candidate ?? null;
  const double: Improvable = {
    candidateShare: options.candidateShare ?? 0.2,
    get candidate() {
      return candidate;
    },
    explore: async (directory, estimate) => {
      calls.push(`explore ${directory} ${estimate === null ? 'null' : `${estimate.value} [${estimate.lower}, ${estimate.upper}]`}`);
      candidate = directory === null ? null : { version: 'v7', directory: '/data/models/v7', source: directory, since: '2026-12-02T00:00:00.000Z', estimate };
      return candidate;
    },
    dataDir: '/data',
    get mode() {
      return mode;
    },
    get abFraction() {
      return fraction;
    },
    firstRampStep: 0.1,
    train: async (trainOptions) => {
      calls.push(`train ${trainOptions.output}`);
      return report(beatsRules, options.difference);
    },
    deploy: async (directory) => {
      calls.push(`deploy ${directory}`);
      return { version: 'v7', directory: '/data/models/v7', source: directory, deployedAt: '2026-12-02T00:00:00.000Z', beatsRules: true, forced: false } as DeployedModel;
    },
    setMode: async (next, options) => {
      calls.push(`mode ${next} ${options?.fraction}`);
      mode = next;
      fraction = options?.fraction ?? fraction;
    },
  };
  return { double, calls };
}

describe('improvePolicy', () => {
  it('deploys a candidate that passed the gate and starts its A/B period at the first ramp step', async () => {
    const { double, calls } = manager(true);
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'deploy /data/candidates/v7', 'mode ab_test 0.1']);
    expect(step).toMatchObject({ gate: 'passed', reason: null, mode: 'ab_test', abFraction: 0.1 });
    expect(step.deployed?.version).toBe('v7');
  });

  it('deploys nothing when the gate refuses, says why, and explores with a candidate it could not tell from the rules', async () => {
    const { double, calls } = manager(false);
    const step = await improvePolicy(double, { version: 'v7', output: '/elsewhere/v7' });
    expect(calls).toEqual(['train /elsewhere/v7', 'explore /elsewhere/v7 -1 [-9, 7]']);
    expect(step).toMatchObject({ gate: 'refused', deployed: null, mode: 'shadow', candidate: { status: 'explored', model: { source: '/elsewhere/v7' } } });
    expect(step.reason).toBe('the gate refused: estimated learned − rules -1.00 [-9.00, 7.00] does not exclude 0');
  });

  it('chooses no exploration candidate when candidateShare is 0', async () => {
    const { double, calls } = manager(false, { candidateShare: 0 });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7']);
    expect(step.candidate).toEqual({ status: 'none', model: null });
  });

  it('never explores with a candidate the gate found worse than the rules, and withdraws the previous one', async () => {
    const previous: CandidateModel = { version: 'v6', directory: '/data/models/v6', source: '/data/candidates/v6', since: '2026-12-01T00:00:00.000Z', estimate: null };
    const { double, calls } = manager(false, { difference: { value: -8, lower: -14, upper: -2 }, candidate: previous });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'explore null null']);
    expect(step.candidate).toEqual({ status: 'withdrawn', model: null });
    expect(double.candidate).toBeNull();
  });

  it('retires the exploration candidate when a model passes the gate', async () => {
    const previous: CandidateModel = { version: 'v6', directory: '/data/models/v6', source: '/data/candidates/v6', since: '2026-12-01T00:00:00.000Z', estimate: null };
    const { double } = manager(true, { candidate: previous });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(step.candidate.status).toBe('retired');
  });

  it('changes nothing when the gate could not evaluate the candidate', async () => {
    const { double, calls } = manager(null);
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toHaveLength(1);
    expect(step).toMatchObject({ gate: 'not-evaluated', deployed: null, candidate: { status: 'none' }, reason: 'the gate could not evaluate the candidate: too little overlap' });
  });
});
