import { describe, expect, it } from 'vitest';
import { improvePolicy, type Improvable } from './improve';
import type { DeployedModel } from './learning-state';
import type { TrainReport } from './train';

function report(beatsRules: boolean | null): TrainReport {
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
    ope: beatsRules === null ? null : { difference: { value: beatsRules ? 6 : -1, lower: beatsRules ? 1 : -9, upper: beatsRules ? 11 : 7 } },
    opeError: beatsRules === null ? 'too little overlap' : null,
    beatsRules,
    verdict: beatsRules === null ? 'not-evaluated' : beatsRules ? 'beats-rules' : 'does-not-beat-rules',
    critic: null,
    wallTimeMs: 1,
  };
}

/** A manager double that records what the step asked of it. */
function manager(beatsRules: boolean | null) {
  const calls: string[] = [];
  let mode: Improvable['mode'] = 'shadow';
  let fraction = 0;
  const double: Improvable = {
    dataDir: '/data',
    get mode() {
      return mode;
    },
    get abFraction() {
      return fraction;
    },
    firstRampStep: 0.1,
    train: async (options) => {
      calls.push(`train ${options.output}`);
      return report(beatsRules);
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

  it('changes nothing when the gate refuses, and says why with the estimate', async () => {
    const { double, calls } = manager(false);
    const step = await improvePolicy(double, { version: 'v7', output: '/elsewhere/v7' });
    expect(calls).toEqual(['train /elsewhere/v7']);
    expect(step).toMatchObject({ gate: 'refused', deployed: null, mode: 'shadow' });
    expect(step.reason).toBe('the gate refused: estimated learned − rules -1.00 [-9.00, 7.00] does not exclude 0');
  });

  it('changes nothing when the gate could not evaluate the candidate', async () => {
    const { double, calls } = manager(null);
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toHaveLength(1);
    expect(step).toMatchObject({ gate: 'not-evaluated', deployed: null, reason: 'the gate could not evaluate the candidate: too little overlap' });
  });
});
