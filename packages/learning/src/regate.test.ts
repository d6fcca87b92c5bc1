import { makeExperience } from '@orchestra/learning-collector/testing';
import type { Experience } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import type { CandidateModel } from './learning-state';
import { pocockErrorSpent } from '@orchestra/learning-trainer';
import { MINIMUM_REGATE_LOGS, REGATE_ALPHA, regateExplorationCandidate, relookErrorLeft, relookErrorSpent, revalueDeployedModel } from './regate';
import { servedWithDesign } from './train';

const since = '2026-12-01T12:00:00.000Z';
const candidate: CandidateModel = { version: 'v6', directory: '/data/models/v6', source: '/data/candidates/v6', since, estimate: null, looks: 2, lookBounds: [], plannedLogs: null, alpha: null, challenges: null };

/** `count` experiences one minute apart, the first `before` of them recorded before the candidate started exploring. */
function logs(count: number, before: number): Experience[] {
  const start = Date.parse(since) - before * 60_000;
  return Array.from({ length: count }, (_, index) => ({ ...makeExperience(5, index), mode: 'shadow' as const, timestamp: new Date(start + index * 60_000 + 1).toISOString() }));
}

/** A trainer double whose re-look returns `verdict`, recording what it was asked. */
function trainer(verdict: { targetBeatsBaseline: boolean; supported: boolean }) {
  type Options = {
    logs: Experience[];
    reference: Experience[];
    look: number;
    candidateShare: number;
    alpha?: number;
    baselineDirectory?: string;
    learnedPolicy?: unknown;
    earlierLooks?: Array<{ information: number; bound: number | null }>;
    spending?: { plannedLogs: number; spentBefore: number };
  };
  const calls: Array<{ directory: string; options: Options }> = [];
  const module = {
    regateCandidate: async (directory: string, options: Options) => {
      calls.push({ directory, options });
      return {
        ...verdict,
        estimator: 'doubly-robust',
        sampleSize: options.logs.length,
        confidence: 1 - (options.alpha ?? 0.05) / 2 ** options.look,
        bound: 2.1,
        information: 0.02,
        boundMethod: options.earlierLooks === undefined ? 'bonferroni' : 'group-sequential',
        target: { value: 150, lower: 140, upper: 160 },
        baseline: { value: 140, lower: 130, upper: 150 },
        difference: { value: 10, lower: 2, upper: 18 },
        medianUnbiasedValue: options.earlierLooks === undefined ? 10 : 8.5,
        kind: 'regate',
        look: options.look,
        freshLogs: options.logs.length,
        candidateActed: Math.round(options.logs.length / 2),
        referenceLogs: options.reference.length,
      };
    },
  };
  return { module, calls };
}

describe('regateExplorationCandidate', () => {
  it('values the candidate on the logs recorded after it started exploring, older ones as the reference, at its next look', async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const report = await regateExplorationCandidate(module, { candidate, experiences: logs(400, 150), candidateShare: 0.5, output: '/unused' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.directory).toBe('/data/models/v6');
    expect(calls[0]!.options).toMatchObject({ look: 3, candidateShare: 0.5, alpha: REGATE_ALPHA });
    expect(calls[0]!.options.logs).toHaveLength(250);
    expect(calls[0]!.options.reference).toHaveLength(150);
    expect(calls[0]!.options.logs.every((experience) => Date.parse(experience.timestamp) > Date.parse(since))).toBe(true);
    expect(report).toMatchObject({ version: 'v6', look: 3, freshLogs: 250, passed: false, directory: null, confidence: 1 - 0.1 / 8 });
  });

  it('hands the trainer the earlier looks the state kept (their exact bound), none when the state lacks some', async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const lookBounds = [
      { information: 0.01, bound: 1.96 },
      { information: 0.018, bound: null },
    ];
    const report = await regateExplorationCandidate(module, { candidate: { ...candidate, lookBounds }, experiences: logs(400, 150), candidateShare: 0.5, output: '/unused' });
    expect(calls[0]!.options.earlierLooks).toEqual(lookBounds);
    // The trainer's median-unbiased estimate given those looks, beside the naive one.
    expect(report).toMatchObject({ look: 3, bound: 2.1, information: 0.02, difference: { value: 10 }, medianUnbiased: 8.5 });
    // Kept for one look of two (a state written before they were kept), or one without information: Bonferroni.
    await regateExplorationCandidate(module, { candidate: { ...candidate, lookBounds: lookBounds.slice(1) }, experiences: logs(400, 150), candidateShare: 0.5, output: '/unused' });
    await regateExplorationCandidate(module, { candidate: { ...candidate, lookBounds: [lookBounds[0]!, { information: null, bound: 2.2 }] }, experiences: logs(400, 150), candidateShare: 0.5, output: '/unused' });
    expect(calls.slice(1).map((call) => call.options.earlierLooks)).toEqual([undefined, undefined]);
  });

  it('reads the bound of a trainer older than the group-sequential bounds from its confidence, and takes its naive estimate as the median-unbiased one', async () => {
    const { module } = trainer({ targetBeatsBaseline: false, supported: true });
    const older = { regateCandidate: async (...args: Parameters<typeof module.regateCandidate>) => ({ ...(await module.regateCandidate(...args)), bound: undefined, information: undefined, medianUnbiasedValue: undefined }) };
    const report = await regateExplorationCandidate(older, { candidate: { ...candidate, looks: 0 }, experiences: logs(400, 150), candidateShare: 0.5, output: '/unused' });
    // Nor a median-unbiased estimate: the naive one stands in.
    expect(report).toMatchObject({ look: 1, confidence: 0.95, information: null, medianUnbiased: 10 });
    expect(report!.bound).toBeCloseTo(1.96, 3);
  });

  it(`makes no re-look with fewer than ${MINIMUM_REGATE_LOGS} logs since the candidate started exploring`, async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: true, supported: true });
    expect(await regateExplorationCandidate(module, { candidate, experiences: logs(150 + MINIMUM_REGATE_LOGS - 1, 150), candidateShare: 0.5, output: '/unused' })).toBeNull();
    expect(calls).toHaveLength(0);
  });

  it('never passes a re-look on logs that did not support the candidate, whatever its interval', async () => {
    const { module } = trainer({ targetBeatsBaseline: true, supported: false });
    const report = await regateExplorationCandidate(module, { candidate, experiences: logs(400, 100), candidateShare: 0.5, output: '/unused' });
    expect(report).toMatchObject({ passed: false, supported: false, directory: null, difference: { lower: 2 } });
  });

  it('values the candidate on the shadow logs since it started only: logs of a serving model go to the reference', async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const experiences = logs(400, 100).map((experience, index) => (index >= 100 && index < 200 ? { ...experience, mode: 'production' as const } : experience));
    const report = await regateExplorationCandidate(module, { candidate, experiences, candidateShare: 0.5, output: '/unused' });
    expect(calls[0]!.options.logs).toHaveLength(200);
    expect(calls[0]!.options.logs.every((experience) => experience.mode === 'shadow')).toBe(true);
    expect(calls[0]!.options.reference).toHaveLength(200);
    expect(report?.freshLogs).toBe(200);
  });

  it("re-looks at a challenger on the production logs since it started, against the deployed model it challenges", async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const challenger: CandidateModel = { ...candidate, looks: 0, lookBounds: [], alpha: null, challenges: 'v5' };
    const experiences = logs(400, 100).map((experience, index) => (index >= 150 ? { ...experience, mode: 'production' as const } : experience));
    const report = await regateExplorationCandidate(module, { candidate: challenger, experiences, candidateShare: 0.5, output: '/unused', challenged: { version: 'v5', directory: '/data/models/v5' } });
    expect(calls[0]!.options.logs).toHaveLength(250);
    expect(calls[0]!.options.logs.every((experience) => experience.mode === 'production')).toBe(true);
    expect(calls[0]!.options.baselineDirectory).toBe('/data/models/v5');
    expect(report).toMatchObject({ baseline: { version: 'v5', directory: '/data/models/v5' }, freshLogs: 250 });
    await expect(regateExplorationCandidate(module, { candidate: challenger, experiences, candidateShare: 0.5, output: '/unused', challenged: { version: 'v4', directory: '/d' } })).rejects.toThrow(/challenges v5, but the model given is v4/);
  });

  it('loads the candidate as it serves, with the exploration design the manager configured', async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const design = { share: 1, switchProbability: 0.35 };
    const servedAs = servedWithDesign({ selection: 'argmax', epsilon: 0.3 }, design);
    await regateExplorationCandidate(module, { candidate, experiences: logs(400, 100), candidateShare: 0.5, output: '/unused', ...(servedAs === undefined ? {} : { servedAs }) });
    expect(calls[0]!.options.learnedPolicy).toEqual({ selection: 'argmax', epsilon: 0.3, explorationDesign: design });
    // A design the caller named wins; nothing is added to an absent servedAs or without a design.
    const own = { selection: 'argmax' as const, epsilon: 0.1, explorationDesign: { share: 0.5, switchProbability: 0.2 } };
    expect(servedWithDesign(own, design)).toBe(own);
    expect(servedWithDesign(undefined, design)).toBeUndefined();
    expect(servedWithDesign({ selection: 'sample' }, undefined)).toEqual({ selection: 'sample' });
  });

  it('spends by information over the planned logs: what the earlier looks spent goes with the look; no look until the logs grew; a spent budget leaves nothing', async () => {
    const { module: double, calls } = trainer({ targetBeatsBaseline: false, supported: true });
    const module = { ...double, pocockErrorSpent };
    // Two looks: the first made by look index before spends were kept (0.025), the second by information (0.004).
    const lookBounds = [
      { information: 0.01, bound: 1.96 },
      { information: 0.02, bound: 2.4, spend: 0.004, logs: 200 },
    ];
    const planned: CandidateModel = { ...candidate, lookBounds, plannedLogs: 1200 };
    expect(relookErrorSpent(planned)).toBeCloseTo(0.029, 12);
    expect(relookErrorLeft(planned)).toBeCloseTo(1 - 0.029 / 0.05, 12);
    // 1,100 logs since it started: 0.05 · ln(1 + (e − 1)·11/12) allowed in all, more than the 0.029 spent.
    const report = await regateExplorationCandidate(module, { candidate: planned, experiences: logs(1200, 100), candidateShare: 0.5, output: '/unused' });
    expect(calls[0]!.options).toMatchObject({ look: 3, spending: { plannedLogs: 1200, spentBefore: relookErrorSpent(planned) } });
    // A trainer that does not say what it spent spent by look index; one that does is reported as it says.
    expect(report).toMatchObject({ spend: REGATE_ALPHA / 16, spending: 'look', plannedLogs: null });
    const saying = { ...module, regateCandidate: async (...args: Parameters<typeof double.regateCandidate>) => ({ ...(await double.regateCandidate(...args)), spend: 0.013, spending: 'information' }) };
    expect(await regateExplorationCandidate(saying, { candidate: planned, experiences: logs(1200, 100), candidateShare: 0.5, output: '/unused' })).toMatchObject({ spend: 0.013, spending: 'information', plannedLogs: 1200 });
    // 250 logs allow 0.05 · ln(1 + (e − 1)·250/1200) = 0.0150 in all: below what was spent, so no look is made.
    expect(await regateExplorationCandidate(module, { candidate: planned, experiences: logs(350, 100), candidateShare: 0.5, output: '/unused' })).toBeNull();
    expect(calls).toHaveLength(2);
    // A budget spent in all (by information): nothing left, never looked at again.
    const spent: CandidateModel = { ...planned, lookBounds: [{ information: 0.01, bound: 2.2, spend: 0.05, logs: 1200 }] };
    expect(relookErrorLeft(spent)).toBe(0);
    expect(await regateExplorationCandidate(module, { candidate: spent, experiences: logs(2000, 100), candidateShare: 0.5, output: '/unused' })).toBeNull();
    // Looks a state did not keep (written before lookBounds were) spent by look index: 2.5 % and 1.25 %.
    expect(relookErrorSpent({ ...candidate, looks: 2, lookBounds: [] })).toBeCloseTo(0.0375, 12);
    // Look-index spending never runs out.
    expect(relookErrorLeft({ ...candidate, lookBounds: Array.from({ length: 20 }, () => ({ information: 0.01, bound: 2 })) })).toBeGreaterThan(0);
    await expect(regateExplorationCandidate(double, { candidate: planned, experiences: logs(1200, 100), candidateShare: 0.5, output: '/unused' })).rejects.toThrow(/no pocockErrorSpent\(\)/);
  });

  it('refuses a trainer without regateCandidate with a typed error', async () => {
    await expect(regateExplorationCandidate({}, { candidate, experiences: [], candidateShare: 0.5, output: '/unused' })).rejects.toThrow(/no regateCandidate\(\)/);
  });
});

describe('revalueDeployedModel', () => {
  const deployed = { version: 'v5', directory: '/data/models/v5', deployedAt: since };

  it('values the deployed model against the rules on the ab_test and production logs since its deployment, every other log as the reference', async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: false });
    // 100 shadow logs before the deployment; after it, 100 in ab_test, 150 in production, 50 back in shadow.
    const modes = (index: number) => (index < 100 ? 'shadow' : index < 200 ? 'ab_test' : index < 350 ? 'production' : 'shadow') as Experience['mode'];
    const experiences = logs(400, 100).map((experience, index) => ({ ...experience, mode: modes(index) }));
    const value = await revalueDeployedModel(module, { deployed, experiences, servedAs: { epsilon: 0.3 } });
    expect(value).toEqual({ version: 'v5', difference: { value: 10, lower: 2, upper: 18 }, logs: 250 });
    expect(calls).toHaveLength(1);
    const { directory, options } = calls[0]!;
    expect(directory).toBe('/data/models/v5');
    expect(options.logs.every((experience) => experience.mode === 'ab_test' || experience.mode === 'production')).toBe(true);
    expect(options.reference).toHaveLength(150);
    // Against the rules (no baseline model), one look at 95 %, no share clipping its weights below the gate's clip.
    expect(options).toMatchObject({ look: 1, alpha: 0.05, candidateShare: 1, learnedPolicy: { epsilon: 0.3 } });
    expect(options.baselineDirectory).toBeUndefined();
  });

  it(`is null with fewer than ${MINIMUM_REGATE_LOGS} logs since the deployment, and refuses a bad date or a trainer without regateCandidate`, async () => {
    const { module, calls } = trainer({ targetBeatsBaseline: false, supported: false });
    const production = (before: number) => logs(400, before).map((experience) => ({ ...experience, mode: 'production' as const }));
    const experiences = production(400 - MINIMUM_REGATE_LOGS + 1);
    expect(await revalueDeployedModel(module, { deployed, experiences })).toBeNull();
    expect(calls).toHaveLength(0);
    expect(await revalueDeployedModel(module, { deployed, experiences: production(400 - MINIMUM_REGATE_LOGS) })).toMatchObject({ logs: MINIMUM_REGATE_LOGS });
    await expect(revalueDeployedModel(module, { deployed: { ...deployed, deployedAt: 'yesterday' }, experiences })).rejects.toThrow(/deployedAt "yesterday" is not a date/);
    await expect(revalueDeployedModel({}, { deployed, experiences })).rejects.toThrow(/no regateCandidate\(\)/);
  });
});
