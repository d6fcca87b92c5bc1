import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema, encodeState } from '@orchestra/learning-features';
import { LearnedPolicy, RulesPolicy, SafetyGuard, type PolicyInput } from '@orchestra/learning-policy';
import { writeTestModelArtifact } from '@orchestra/learning-policy/testing';
import { experienceSchema, twoSidedNormalQuantile, validate, type Action, type Experience, type TaskContext } from '@orchestra/learning-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../networks/seeded-random';
import { judgedPolicyOptions } from './evaluate-model-artifact';
import { groupSequentialBound, medianUnbiasedEstimate, oneSidedBound, pocockErrorSpent } from './group-sequential';
import { regateCandidate } from './regate-candidate';

const share = 0.5;
const epsilon = 0.3;
const space = new ActionSpace();
const contexts: TaskContext[] = [
  { taskType: 'feature', domains: ['backend'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 60, skills: [] },
  { taskType: 'bugfix', domains: ['frontend'], complexity: 'simple', risk: 'low', estimatedTimeMinutes: 20, skills: [] },
  { taskType: 'refactor', domains: ['database'], complexity: 'complex', risk: 'high', estimatedTimeMinutes: 240, skills: [] },
  { taskType: 'docs', domains: ['documentation'], complexity: 'simple', risk: 'low', estimatedTimeMinutes: 15, skills: [] },
  { taskType: 'performance', domains: ['backend', 'database'], complexity: 'complex', risk: 'medium', estimatedTimeMinutes: 180, skills: [] },
];
const key = (action: Action) => JSON.stringify(space.encode(action));

let root: string;
let directory: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'regate-candidate-'));
  directory = join(root, 'candidate');
  await writeTestModelArtifact(directory, { version: 'candidate-1', seed: 3 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Shadow logs of a candidate that serves `argmax` with ε 0.3 on half of the sessions and the rules (ε 0.3) on the
 * other half, with exact mixture propensities. Reward: 100 for the candidate's greedy decision, 60 for the rules'
 * greedy one, 20 for anything else, ± 15 of noise — so its greedy decisions beat the rules' by 40 where they differ,
 * and its exploration costs it.
 */
async function exploredLogs(count: number, seed: number, offset = 0, candidateShare = share): Promise<Experience[]> {
  const guard = new SafetyGuard({ space });
  const explorer = await LearnedPolicy.load(directory, { selection: 'argmax', epsilon, seed });
  const greedy = await LearnedPolicy.load(directory, { selection: 'argmax' });
  const rules = new RulesPolicy({ guard, config: { epsilon, seed: seed + 1 } });
  const greedyRules = new RulesPolicy({ guard });
  const random = new SeededRandom(seed + 2);
  const logs: Experience[] = [];
  for (let index = 0; index < count; index += 1) {
    const input: PolicyInput = { context: contexts[index % contexts.length]!, system: { concurrentTasks: 1, load: 0.3 }, sessionId: `session-${offset + index}` };
    const candidateActs = random.next() < candidateShare;
    const action = (candidateActs ? explorer : rules).decide(input).action;
    const propensity = candidateShare * explorer.probabilityOf(action, input) + (1 - candidateShare) * rules.probabilityOf(action, input);
    const reward = (key(action) === key(greedy.decide(input).action) ? 100 : key(action) === key(greedyRules.decide(input).action) ? 60 : 20) + (random.next() - 0.5) * 30;
    logs.push(
      validate(
        experienceSchema,
        {
          schemaVersion: 1,
          id: `experience-${offset + index}`,
          sessionId: input.sessionId,
          timestamp: new Date(Date.UTC(2026, 11, 1) + (offset + index) * 60_000).toISOString(),
          state: { featureSchemaHash: defaultFeatureSchema.hash, features: Array.from(encodeState(input)), context: input.context, system: input.system },
          action,
          propensity,
          policy: candidateActs ? { source: 'learned', version: 'candidate-1' } : { source: 'rules', version: 'rules-v1' },
          mode: 'shadow',
          reward: { total: reward, components: { outcome: reward } },
          outcome: { success: reward > 50, durationMs: 60_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.5, errorCount: 0, totalCostUsd: 0.2 },
        },
        'Experience',
      ),
    );
  }
  return logs;
}

/** The true greedy difference on the logs' states: +40 wherever the candidate's and the rules' greedy decisions differ. */
async function greedyTruth(): Promise<number> {
  const greedy = await LearnedPolicy.load(directory, { selection: 'argmax' });
  const greedyRules = new RulesPolicy({ guard: new SafetyGuard({ space }) });
  const differing = contexts.filter((context) => {
    const input = { context, system: { concurrentTasks: 1, load: 0.3 } };
    return key(greedy.decide(input).action) !== key(greedyRules.decide(input).action);
  }).length;
  return (40 * differing) / contexts.length;
}

describe('judgedPolicyOptions', () => {
  it('judges an argmax candidate by its greedy decisions unless asked to judge it as served; sampling stays as served', () => {
    expect(judgedPolicyOptions({ selection: 'argmax', epsilon: 0.3, seed: 4 })).toEqual({ selection: 'argmax', epsilon: 0, seed: 4 });
    expect(judgedPolicyOptions({ selection: 'argmax', epsilon: 0.3 }, 'as-served')).toEqual({ selection: 'argmax', epsilon: 0.3 });
    expect(judgedPolicyOptions({ selection: 'sample' })).toEqual({ selection: 'sample' });
    expect(judgedPolicyOptions(undefined)).toBeUndefined();
  });
});

describe('regateCandidate', () => {
  it('values an ε-exploring candidate by its greedy decisions (supported within 1 / (share · (1 − ε))), as served only when asked', async () => {
    const reference = await exploredLogs(400, 11);
    const logs = await exploredLogs(1200, 12, 400);
    const options = { logs, reference, candidateShare: share, look: 1, learnedPolicy: { selection: 'argmax' as const, epsilon } };
    const decisions = await regateCandidate(directory, options);
    const served = await regateCandidate(directory, { ...options, judge: 'as-served' });
    const truth = await greedyTruth();
    expect(truth).toBeGreaterThan(0);
    expect(decisions.supported).toBe(true);
    expect(decisions.target.maximumWeight).toBeGreaterThan(1 / share);
    expect(decisions.target.maximumWeight).toBeLessThanOrEqual(1 / (share * (1 - epsilon)) + 1e-9);
    expect(decisions.difference.lower).toBeLessThan(truth);
    expect(decisions.difference.upper).toBeGreaterThan(truth);
    expect(decisions.targetBeatsBaseline).toBe(true);
    expect(decisions.candidateActed).toBeGreaterThan(500);
    // As served, the candidate pays for its own exploration against greedy rules: a smaller estimated gain.
    expect(served.supported).toBe(true);
    expect(served.difference.value).toBeLessThan(decisions.difference.value - 5);
  }, 60_000);

  it('re-looks with critics stratified by the rules’ choices (`criticStrata`) and keeps the verdict on the same logs', async () => {
    const reference = await exploredLogs(400, 11);
    const logs = await exploredLogs(1200, 12, 400);
    const stratified = await regateCandidate(directory, { logs, reference, candidateShare: share, look: 1, learnedPolicy: { selection: 'argmax', epsilon }, config: { offline: { criticStrata: 'rules' } } });
    const truth = await greedyTruth();
    expect(stratified.supported).toBe(true);
    expect(stratified.difference.lower).toBeLessThan(truth);
    expect(stratified.difference.upper).toBeGreaterThan(truth);
    expect(stratified.targetBeatsBaseline).toBe(true);
  }, 60_000);

  it('never clips the weights a small share supports (1 / (share · (1 − ε)) above the clip of 10)', async () => {
    const small = 0.1;
    const reference = await exploredLogs(400, 21, 0, small);
    const logs = await exploredLogs(3000, 22, 400, small);
    const comparison = await regateCandidate(directory, { logs, reference, candidateShare: small, look: 1, learnedPolicy: { selection: 'argmax', epsilon } });
    const truth = await greedyTruth();
    // Its greedy decisions were logged with propensity ≥ 0.1 × 0.7: weights up to 14.3, none clipped at 10.
    expect(comparison.supported).toBe(true);
    expect(comparison.target.maximumWeight).toBeGreaterThan(10);
    expect(comparison.target.maximumWeight).toBeLessThanOrEqual(1 / (small * (1 - epsilon)) + 1e-9);
    // Unbiased: within 3.3 standard errors of the truth (clipped at 10, these logs gave 28.96 [26.16, 31.77]: 8.8 off).
    const standardError = (comparison.difference.upper - comparison.difference.lower) / (2 * twoSidedNormalQuantile(comparison.confidence));
    expect(Math.abs(comparison.difference.value - truth)).toBeLessThan(3.3 * standardError);
    // Logs of a share it did not act on (weights beyond the bound, clipped just above it) are unsupported.
    const claimed = await regateCandidate(directory, { logs, reference, candidateShare: 0.5, look: 1, learnedPolicy: { selection: 'argmax', epsilon } });
    expect(claimed.supported).toBe(false);
  }, 60_000);

  it('uses the exact group-sequential bound given the earlier looks, the Bonferroni one without them', async () => {
    const reference = await exploredLogs(200, 31);
    const logs = await exploredLogs(600, 32, 200);
    const options = { logs, reference, candidateShare: share, look: 2, learnedPolicy: { selection: 'argmax' as const, epsilon } };
    const alone = await regateCandidate(directory, options);
    expect(alone).toMatchObject({ boundMethod: 'bonferroni', confidence: 1 - 0.05 / 4 });
    expect(alone.bound).toBeCloseTo(oneSidedBound(0.05 / 8), 9);
    const information = alone.information!;
    expect(information).toBeCloseTo(1 / alone.difference.samplingStandardError ** 2, 9);
    // A first look on half as much information, at its own spend (alpha 0.05: 1.25 %, z 2.241): this look's bound is lower.
    const earlier = { information: information / 2, bound: oneSidedBound(0.05 / 4) };
    const exact = await regateCandidate(directory, { ...options, earlierLooks: [earlier] });
    expect(exact.boundMethod).toBe('group-sequential');
    expect(exact.bound).toBeCloseTo(groupSequentialBound([earlier], information, 0.05 / 8), 9);
    expect(exact.bound).toBeLessThan(alone.bound - 0.1);
    expect(exact.difference.value).toBeCloseTo(alone.difference.value, 9);
    expect(exact.difference.lower).toBeCloseTo(exact.difference.value - exact.bound * exact.difference.standardError, 6);
    expect(exact.difference.lower).toBeGreaterThan(alone.difference.lower);
    // This look stops (its lower bound is above 0): its estimate given the earlier look that did not is median-unbiased,
    // below the naive one; without the earlier look, the naive one.
    expect(exact.targetBeatsBaseline).toBe(true);
    expect(exact.medianUnbiasedValue).toBeCloseTo(medianUnbiasedEstimate([earlier], information, exact.difference.value), 9);
    expect(exact.medianUnbiasedValue).toBeLessThan(exact.difference.value);
    expect(alone.medianUnbiasedValue).toBe(alone.difference.value);
    // Earlier looks that do not match this look's number, or information that did not grow: Bonferroni, and the naive estimate.
    expect((await regateCandidate(directory, { ...options, earlierLooks: [] })).boundMethod).toBe('bonferroni');
    const notGrown = await regateCandidate(directory, { ...options, earlierLooks: [{ information, bound: 1.96 }] });
    expect(notGrown.boundMethod).toBe('bonferroni');
    expect(notGrown.medianUnbiasedValue).toBe(notGrown.difference.value);
  }, 90_000);

  it('spends by information fraction when asked: what the logs allow less what the earlier looks spent, never floored at their bounds', async () => {
    const reference = await exploredLogs(200, 41);
    const logs = await exploredLogs(600, 42, 200);
    const options = { logs, reference, candidateShare: share, learnedPolicy: { selection: 'argmax' as const, epsilon } };
    // A first look on 600 of 2,400 planned logs: a quarter of the information, Pocock-type spending.
    const first = await regateCandidate(directory, { ...options, look: 1, spending: { plannedLogs: 2400, spentBefore: 0 } });
    expect(first).toMatchObject({ spending: 'information', boundMethod: 'bonferroni' });
    expect(first.spend).toBeCloseTo(pocockErrorSpent(0.025, 0.25), 12);
    expect(first.bound).toBeCloseTo(oneSidedBound(first.spend), 9);
    // By look index it would have spent 1.25 %: a quarter of the planned logs spends less.
    const byLook = await regateCandidate(directory, { ...options, look: 1 });
    expect(byLook).toMatchObject({ spending: 'look', spend: 0.0125 });
    expect(first.bound).toBeGreaterThan(byLook.bound);
    // A second look after a thin, high-bound first one (a tenth of the logs, z 3.5): its spend is what the grown
    // fraction allows less what the first spent, and its exact bound is not raised to the first's 3.5.
    const thin = { information: first.information! / 4, bound: 3.5 };
    const spentBefore = pocockErrorSpent(0.025, 0.0625);
    const second = await regateCandidate(directory, { ...options, look: 2, earlierLooks: [thin], spending: { plannedLogs: 2400, spentBefore } });
    expect(second.spend).toBeCloseTo(pocockErrorSpent(0.025, 0.25) - spentBefore, 12);
    expect(second.boundMethod).toBe('group-sequential');
    expect(second.bound).toBeCloseTo(groupSequentialBound([thin], second.information!, second.spend), 9);
    expect(second.bound).toBeLessThan(3.5);
    // Nothing left: the planned logs were spent (or the logs did not grow past what was spent), and bad plans.
    await expect(regateCandidate(directory, { ...options, look: 2, spending: { plannedLogs: 500, spentBefore: 0.025 } })).rejects.toThrow(/nothing left to spend/);
    await expect(regateCandidate(directory, { ...options, look: 2, spending: { plannedLogs: 2400, spentBefore: first.spend } })).rejects.toThrow(/nothing left to spend/);
    await expect(regateCandidate(directory, { ...options, look: 1, spending: { plannedLogs: 0, spentBefore: 0 } })).rejects.toThrow(/plannedLogs/);
    await expect(regateCandidate(directory, { ...options, look: 1, spending: { plannedLogs: 100, spentBefore: -1 } })).rejects.toThrow(/spentBefore/);
  }, 90_000);
});
