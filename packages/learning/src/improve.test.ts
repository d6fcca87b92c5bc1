import { describe, expect, it } from 'vitest';
import { improvePolicy, relookCandidate, type Improvable } from './improve';
import type { CandidateModel, DeployedModel } from './learning-state';
import type { RegateReport } from './regate';
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
    explorationWeights: { team: { 'executor+architect+auditor+consultant': 0.8 } },
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
function relook(difference: { value: number; lower: number; upper: number }, passed = difference.lower > 0, baseline: RegateReport['baseline'] = null): RegateReport {
  const estimate = { value: 0, lower: 0, upper: 0 };
  const comparison = { estimator: 'doubly-robust', sampleSize: 400, target: estimate, baseline: estimate, difference, targetBeatsBaseline: passed, kind: 'regate' as const, look: 1 };
  return { version: 'v6', candidateDirectory: '/data/models/v6', look: 1, alpha: 0.1, spend: 0.025, spending: 'look', plannedLogs: null, baseline, freshLogs: 400, candidateActed: 100, confidence: 0.95, bound: 1.96, information: 0.01, difference, medianUnbiased: difference.value, supported: true, passed, directory: passed ? '/data/candidates/v6--look-1' : null, comparison };
}

/** The exploration candidate v6 (trained earlier, no looks yet), with `changes` over it. */
function explorationCandidate(changes: Partial<CandidateModel> = {}): CandidateModel {
  return { version: 'v6', directory: '/data/models/v6', source: '/data/candidates/v6', since: '2026-12-01T00:00:00.000Z', estimate: null, looks: 0, lookBounds: [], plannedLogs: null, alpha: null, challenges: null, ...changes };
}

function manager(
  beatsRules: boolean | null,
  options: {
    difference?: { value: number; lower: number; upper: number };
    candidate?: CandidateModel | null;
    candidateShare?: number;
    regate?: RegateReport | null;
    mode?: Improvable['mode'];
    stale?: boolean;
    deployedValue?: number | null;
  } = {},
) {
  const calls: string[] = [];
  const adapted: Array<TrainReport['explorationWeights']> = [];
  const trainerConfigs: Array<Record<string, unknown> | undefined> = [];
  let mode: Improvable['mode'] = options.mode ?? 'shadow';
  let fraction = 0;
  let candidate = options.candidate ?? null;
  const double: Improvable = {
    candidateShare: options.candidateShare ?? 0.2,
    get candidate() {
      return candidate;
    },
    candidateStale: options.stale ?? false,
    deployedValue: async () => {
      calls.push('deployedValue');
      return options.deployedValue ?? null;
    },
    explore: async (directory, estimate) => {
      calls.push(`explore ${directory} ${estimate === null ? 'null' : `${estimate.value} [${estimate.lower}, ${estimate.upper}]`}`);
      candidate = directory === null ? null : { version: 'v7', directory: '/data/models/v7', source: directory, since: '2026-12-02T00:00:00.000Z', estimate, looks: 0, lookBounds: [], plannedLogs: null, alpha: null, challenges: null };
      return candidate;
    },
    regate: async (regateOptions) => {
      calls.push(`regate ${regateOptions.output}`);
      return options.regate ?? null;
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
      trainerConfigs.push(trainOptions.trainerConfig);
      return report(beatsRules, options.difference);
    },
    deploy: async (directory) => {
      calls.push(`deploy ${directory}`);
      return { version: 'v7', directory: '/data/models/v7', source: directory, deployedAt: '2026-12-02T00:00:00.000Z', beatsRules: true, forced: false } as DeployedModel;
    },
    adaptExploration: async (train) => {
      adapted.push(train.explorationWeights);
    },
    setMode: async (next, options) => {
      calls.push(`mode ${next} ${options?.fraction}`);
      mode = next;
      fraction = options?.fraction ?? fraction;
    },
  };
  return { double, calls, trainerConfigs, adapted };
}

describe('improvePolicy', () => {
  it('without an exploration share, deploys a candidate that passed the gate and starts its A/B period at the first ramp step', async () => {
    const { double, calls, adapted } = manager(true, { candidateShare: 0 });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'deploy /data/candidates/v7', 'mode ab_test 0.1']);
    // Every training hands its exploration weights on, whatever the gate says.
    expect(adapted).toEqual([{ team: { 'executor+architect+auditor+consultant': 0.8 } }]);
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

  it('with an exploration share, trains the chooser on every training row (the gate only screens); an explicit gateShare stands', async () => {
    const exploring = manager(false);
    await improvePolicy(exploring.double, { version: 'v7', trainerConfig: { seed: 3, offline: { epochs: 5 } } });
    expect(exploring.trainerConfigs).toEqual([{ seed: 3, offline: { epochs: 5, gateShare: 0 } }]);
    const explicit = manager(false);
    await improvePolicy(explicit.double, { version: 'v7', trainerConfig: { offline: { gateShare: 0.25 } } });
    expect(explicit.trainerConfigs).toEqual([{ offline: { gateShare: 0.25 } }]);
    const deploying = manager(false, { candidateShare: 0 });
    await improvePolicy(deploying.double, { version: 'v7', trainerConfig: { seed: 3 } });
    expect(deploying.trainerConfigs).toEqual([{ seed: 3 }]);
  });

  it('chooses no exploration candidate when candidateShare is 0', async () => {
    const { double, calls } = manager(false, { candidateShare: 0 });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7']);
    expect(step.candidate).toEqual({ status: 'none', model: null });
  });

  it('never explores with a candidate the gate found worse than the rules, and withdraws the previous one', async () => {
    const previous = explorationCandidate();
    const { double, calls } = manager(false, { difference: { value: -8, lower: -14, upper: -2 }, candidate: previous, regate: relook({ value: -3, lower: -9, upper: 3 }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1', 'explore null null']);
    expect(step.candidate).toEqual({ status: 'withdrawn', model: null });
    expect(double.candidate).toBeNull();
  });

  it('deploys the exploration candidate when a re-look on the logs it explored on passes, and starts its A/B period', async () => {
    const previous = explorationCandidate();
    const { double, calls } = manager(false, { candidate: previous, regate: relook({ value: 9, lower: 2, upper: 16 }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1', 'deploy /data/candidates/v6--look-1', 'mode ab_test 0.1']);
    expect(step).toMatchObject({ gate: 'passed', reason: null, mode: 'ab_test', candidate: { status: 'retired' }, regate: { passed: true, look: 1 } });
  });

  it('keeps a promising exploration candidate (re-look above 0, not passed) instead of switching to the new one', async () => {
    const previous = explorationCandidate();
    const { double, calls } = manager(false, { candidate: previous, regate: relook({ value: 4, lower: -2, upper: 10 }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1']);
    expect(step.candidate).toEqual({ status: 'kept', model: previous });
    expect(step.gate).toBe('refused');
  });

  it('switches from a promising exploration candidate to a new one whose interval at training reaches above its re-look', async () => {
    const previous = explorationCandidate();
    const { double, calls } = manager(false, { candidate: previous, difference: { value: 9, lower: -10, upper: 28 }, regate: relook({ value: 4, lower: -2, upper: 10 }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1', 'explore /data/candidates/v7 9 [-10, 28]']);
    expect(step.candidate).toMatchObject({ status: 'explored', model: { version: 'v7', looks: 0 } });
  });

  it('chooses what explores by the upper ends of the intervals, not by the point estimates', async () => {
    const previous = explorationCandidate();
    // A new candidate estimated lower (−3) but far less certain ([−30, 24]) than the kept one's re-look (+4 [−2, 10])
    // could be much better: it explores.
    const wide = manager(false, { candidate: previous, difference: { value: -3, lower: -30, upper: 24 }, regate: relook({ value: 4, lower: -2, upper: 10 }) });
    const step = await improvePolicy(wide.double, { version: 'v7' });
    expect(step.candidate).toMatchObject({ status: 'explored', model: { version: 'v7' } });
    expect(wide.calls.at(-1)).toBe('explore /data/candidates/v7 -3 [-30, 24]');
    // A new candidate estimated higher (+6) but whose interval ends below the re-look's (9 < 10) cannot beat it by as much: kept.
    const narrow = manager(false, { candidate: previous, difference: { value: 6, lower: 3, upper: 9 }, regate: relook({ value: 4, lower: -2, upper: 10 }) });
    expect((await improvePolicy(narrow.double, { version: 'v7' })).candidate).toEqual({ status: 'kept', model: previous });
  });

  it('keeps the exploration candidate while too few logs exist to re-look at it, and replaces an unpromising one', async () => {
    const previous = explorationCandidate({ looks: 1 });
    const waiting = manager(false, { candidate: previous, regate: null });
    expect((await improvePolicy(waiting.double, { version: 'v7' })).candidate.status).toBe('kept');
    const unpromising = manager(false, { candidate: previous, regate: relook({ value: -1, lower: -7, upper: 5 }) });
    const step = await improvePolicy(unpromising.double, { version: 'v7' });
    expect(unpromising.calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-2', 'explore /data/candidates/v7 -1 [-9, 7]']);
    expect(step.candidate.status).toBe('explored');
  });

  it('replaces a promising candidate whose re-looks spent their budget by information: it can never pass', async () => {
    const spent = explorationCandidate({ looks: 3, plannedLogs: 1200, lookBounds: [{ information: 0.01, bound: 2.4, spend: 0.05, logs: 1200 }] });
    const { double, calls } = manager(false, { candidate: spent, regate: null });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-4', 'explore /data/candidates/v7 -1 [-9, 7]']);
    expect(step.candidate.status).toBe('explored');
  });

  it('with an exploration share, deploys nothing on the gate at training alone: a candidate it passed explores first', async () => {
    const { double, calls } = manager(true);
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'explore /data/candidates/v7 6 [1, 11]']);
    expect(step).toMatchObject({ gate: 'refused', deployed: null, mode: 'shadow', candidate: { status: 'explored' } });
    expect(step.reason).toMatch(/needs a re-look on logs where the candidate acted/);
  });

  it('retires the exploration candidate when a model is deployed', async () => {
    const previous = explorationCandidate();
    const { double } = manager(false, { candidate: previous, regate: relook({ value: 9, lower: 2, upper: 16 }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(step.candidate.status).toBe('retired');
  });

  it('in production, deploys a challenger whose re-look beat the deployed model without leaving production', async () => {
    const previous = explorationCandidate({ challenges: 'v5' });
    const { double, calls } = manager(false, { mode: 'production', candidate: previous, regate: relook({ value: 4, lower: 1, upper: 7 }, true, { version: 'v5', directory: '/data/models/v5' }) });
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1', 'deploy /data/candidates/v6--look-1']);
    expect(step).toMatchObject({ gate: 'passed', mode: 'production', candidate: { status: 'retired' } });
  });

  it("values a challenger's re-look against the rules as the deployed model's value since its deployment plus the re-look", async () => {
    const previous = explorationCandidate({ challenges: 'v5' });
    const challengerRelook = relook({ value: 2, lower: -1, upper: 5 }, false, { version: 'v5', directory: '/data/models/v5' });
    // A new candidate at +9 [−1, 19] against the rules does not outdo a challenger at +2 [−1, 5] over a model valued
    // at +15 (its upper end against the rules: 20) …
    const kept = manager(false, { mode: 'production', candidate: previous, difference: { value: 9, lower: -1, upper: 19 }, regate: challengerRelook, deployedValue: 15 });
    const keptStep = await improvePolicy(kept.double, { version: 'v7' });
    expect(keptStep.candidate.status).toBe('kept');
    expect(keptStep.deployedValue).toBe(15);
    expect(kept.calls).toEqual(['train /data/candidates/v7', 'regate /data/candidates/v6--look-1', 'deployedValue']);
    // … but does outdo it over a model valued at +5 (10).
    const outdone = manager(false, { mode: 'production', candidate: previous, difference: { value: 9, lower: -1, upper: 19 }, regate: challengerRelook, deployedValue: 5 });
    const outdoneStep = await improvePolicy(outdone.double, { version: 'v7' });
    expect(outdoneStep.candidate.status).toBe('explored');
    expect(outdoneStep.deployedValue).toBe(5);
  });

  it('values the deployed model only when a challenger is compared with a new candidate', async () => {
    // A candidate exploring in shadow mode is compared with the rules directly; a new candidate the gate found worse
    // replaces nothing: neither asks for the deployed model's value.
    const shadow = manager(false, { candidate: explorationCandidate(), difference: { value: 9, lower: -1, upper: 19 }, regate: relook({ value: 2, lower: -1, upper: 5 }) });
    expect((await improvePolicy(shadow.double, { version: 'v7' })).deployedValue).toBeNull();
    const challengerRelook = relook({ value: 2, lower: -1, upper: 5 }, false, { version: 'v5', directory: '/data/models/v5' });
    const worse = manager(false, { mode: 'production', candidate: explorationCandidate({ challenges: 'v5' }), difference: { value: -9, lower: -19, upper: -1 }, regate: challengerRelook, deployedValue: 5 });
    const step = await improvePolicy(worse.double, { version: 'v7' });
    expect(step.deployedValue).toBeNull();
    expect(worse.calls).not.toContain('deployedValue');
  });

  it('makes no re-look at a stale candidate (its model no longer serves) and replaces or withdraws it', async () => {
    const previous = explorationCandidate({ challenges: 'v4' });
    const replaced = manager(false, { mode: 'production', candidate: previous, stale: true, regate: relook({ value: 9, lower: 2, upper: 16 }) });
    const step = await improvePolicy(replaced.double, { version: 'v7' });
    expect(replaced.calls).toEqual(['train /data/candidates/v7', 'explore /data/candidates/v7 -1 [-9, 7]']);
    expect(step.candidate.status).toBe('explored');
    const withdrawn = manager(false, { mode: 'production', candidate: previous, stale: true, difference: { value: -8, lower: -14, upper: -2 } });
    expect((await improvePolicy(withdrawn.double, { version: 'v7' })).candidate.status).toBe('withdrawn');
  });

  it('changes nothing when the gate could not evaluate the candidate', async () => {
    const { double, calls } = manager(null);
    const step = await improvePolicy(double, { version: 'v7' });
    expect(calls).toHaveLength(1);
    expect(step).toMatchObject({ gate: 'not-evaluated', deployed: null, candidate: { status: 'none' }, reason: 'the gate could not evaluate the candidate: too little overlap' });
  });
});

describe('relookCandidate', () => {
  it('deploys a candidate whose re-look passed and starts its A/B period, without training', async () => {
    const { double, calls } = manager(null, { candidate: explorationCandidate(), regate: relook({ value: 9, lower: 2, upper: 16 }) });
    const step = await relookCandidate(double);
    expect(calls).toEqual(['regate /data/candidates/v6--look-1', 'deploy /data/candidates/v6--look-1', 'mode ab_test 0.1']);
    expect(step).toMatchObject({ mode: 'ab_test', abFraction: 0.1, candidate: { status: 'retired', model: null }, regate: { passed: true }, deployed: { version: 'v7' } });
  });

  it('keeps a candidate its re-look did not find worse (or could not look at yet), withdraws one found worse or with its budget spent', async () => {
    const previous = explorationCandidate();
    const unsure = manager(null, { candidate: previous, regate: relook({ value: -3, lower: -11, upper: 5 }) });
    expect(await relookCandidate(unsure.double, { output: '/elsewhere' })).toMatchObject({ deployed: null, candidate: { status: 'kept', model: previous } });
    expect(unsure.calls).toEqual(['regate /elsewhere']);
    const waiting = manager(null, { candidate: previous, regate: null });
    expect(await relookCandidate(waiting.double)).toMatchObject({ regate: null, candidate: { status: 'kept' } });
    const worse = manager(null, { candidate: previous, regate: relook({ value: -12, lower: -20, upper: -4 }) });
    expect(await relookCandidate(worse.double)).toMatchObject({ candidate: { status: 'withdrawn', model: null } });
    expect(worse.calls).toEqual(['regate /data/candidates/v6--look-1', 'explore null null']);
    const spent = manager(null, { candidate: explorationCandidate({ looks: 2, plannedLogs: 600, lookBounds: [{ information: 0.01, bound: 2.3, spend: 0.05, logs: 600 }] }), regate: null });
    expect(await relookCandidate(spent.double)).toMatchObject({ candidate: { status: 'withdrawn' } });
  });

  it('makes no re-look without a candidate, a share, or at a stale candidate', async () => {
    const none = manager(null);
    expect(await relookCandidate(none.double)).toMatchObject({ regate: null, deployed: null, candidate: { status: 'none', model: null } });
    const noShare = manager(null, { candidate: explorationCandidate(), candidateShare: 0, regate: relook({ value: 9, lower: 2, upper: 16 }) });
    expect(await relookCandidate(noShare.double)).toMatchObject({ regate: null, candidate: { status: 'kept' } });
    const stale = manager(null, { candidate: explorationCandidate(), stale: true, regate: relook({ value: 9, lower: 2, upper: 16 }) });
    expect(await relookCandidate(stale.double)).toMatchObject({ regate: null });
    expect([...none.calls, ...noShare.calls, ...stale.calls]).toEqual([]);
  });
});
