import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { taskTypes, type Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { buildExperienceDataset, splitByTime } from '../offline/experience-dataset';
import { fitLinearCritic } from '../offline/linear-critic';
import { rulesGreedyIndices } from '../offline/rules-strata';
import { bestApproachOf, ruleIndices, syntheticExperiences } from '../offline/test-support/synthetic-experiences';
import { compareWithCritic, gateFoldOf, type GatePolicy } from './critic-gate';

const actionSpace = new ActionSpace();

/** A deterministic policy of the synthetic world: the rule, with the approach chosen per task type by `approachOf`. */
function policy(name: string, approachOf: (taskType: number) => number): GatePolicy {
  const actionFor = (taskType: string): Action => {
    const indices = Int32Array.from(ruleIndices);
    indices[actionHeads.approach] = approachOf(taskTypes.indexOf(taskType as (typeof taskTypes)[number]));
    return actionSpace.decode(indices);
  };
  return {
    name,
    decide: (input) => ({ action: actionFor(input.context.taskType) }),
    probabilityOf: (action, input) => (JSON.stringify(actionSpace.encode(action)) === JSON.stringify(actionSpace.encode(actionFor(input.context.taskType))) ? 1 : 0),
  };
}

describe('compareWithCritic', () => {
  const experiences = syntheticExperiences({ count: 5000, seed: 31, exploration: 0.3, stateSize: 15 });
  const dataset = buildExperienceDataset(experiences, { actionSpace });
  const split = splitByTime(dataset, 0.4);
  const held = experiences.slice(-split.validation.length);
  const critic = fitLinearCritic(dataset, actionSpace, split.validation, split.validation);
  const rules = policy('rules', () => ruleIndices[actionHeads.approach]!);

  it('passes a policy that takes the best approach of every task type, with an estimate that is a clear gain', () => {
    const better = policy('best-approach', bestApproachOf);
    const comparison = compareWithCritic({ critic, actionSpace, normalisation: dataset.rewardNormalisation, candidate: better, baseline: rules, logs: held });
    expect(comparison.targetBeatsBaseline).toBe(true);
    expect(comparison.difference.lower).toBeGreaterThan(0);
    expect(comparison.changedShare).toBeGreaterThan(0.5);
    expect(comparison.difference.criticStandardError).toBeGreaterThan(0);
  });

  it('refuses a policy that takes a wrong approach everywhere: the estimated difference is negative', () => {
    const worse = policy('wrong-approach', (taskType) => (bestApproachOf(taskType) + 2) % 4);
    const comparison = compareWithCritic({ critic, actionSpace, normalisation: dataset.rewardNormalisation, candidate: worse, baseline: rules, logs: held });
    expect(comparison.targetBeatsBaseline).toBe(false);
    expect(comparison.difference.value).toBeLessThan(0);
  });

  it('with cross-fitted critics, values each log with the critic that did not see it, and still passes the better policy', () => {
    const byId = new Map(experiences.map((experience) => [experience.id, experience]));
    const folds = split.validation.map((row) => gateFoldOf(byId.get(dataset.ids[row]!)!));
    const zeros = folds.filter((fold) => fold === 0).length;
    expect(Math.abs(zeros - folds.length / 2)).toBeLessThan(4 * Math.sqrt(folds.length / 4));
    expect(gateFoldOf({ id: 'x', sessionId: 'session-1' })).toBe(gateFoldOf({ id: 'y', sessionId: 'session-1' }));
    const without = (fold: number) => split.validation.filter((_, position) => folds[position] !== fold);
    const crossFitted = { folds: [fitLinearCritic(dataset, actionSpace, without(0), split.validation), fitLinearCritic(dataset, actionSpace, without(1), split.validation)] as const };
    const better = compareWithCritic({ critic: crossFitted, actionSpace, normalisation: dataset.rewardNormalisation, candidate: policy('best-approach', bestApproachOf), baseline: rules, logs: held });
    expect(better.targetBeatsBaseline).toBe(true);
    const worse = compareWithCritic({ critic: crossFitted, actionSpace, normalisation: dataset.rewardNormalisation, candidate: policy('wrong-approach', (taskType) => (bestApproachOf(taskType) + 2) % 4), baseline: rules, logs: held });
    expect(worse.targetBeatsBaseline).toBe(false);
    expect(worse.difference.value).toBeLessThan(0);
  });

  it('gives a zero difference, and refuses, for a candidate identical to the baseline', () => {
    const comparison = compareWithCritic({ critic, actionSpace, normalisation: dataset.rewardNormalisation, candidate: policy('same', () => ruleIndices[actionHeads.approach]!), baseline: rules, logs: held });
    expect(comparison.difference.value).toBe(0);
    expect(comparison.changedShare).toBe(0);
    expect(comparison.targetBeatsBaseline).toBe(false);
  });

  it('with a critic stratified by the default rules, scores every log with the rules’ action there and keeps its verdicts', () => {
    const strata = rulesGreedyIndices(experiences, dataset, actionSpace)!;
    const stratified = fitLinearCritic(dataset, actionSpace, split.validation, split.validation, { strata });
    expect(stratified.stratified).toBe(true);
    const options = { critic: stratified, actionSpace, normalisation: dataset.rewardNormalisation, baseline: rules, logs: held };
    const better = compareWithCritic({ ...options, candidate: policy('best-approach', bestApproachOf) });
    expect(better.targetBeatsBaseline).toBe(true);
    expect(better.difference.criticStandardError).toBeGreaterThan(0);
    const worse = compareWithCritic({ ...options, candidate: policy('wrong-approach', (taskType) => (bestApproachOf(taskType) + 2) % 4) });
    expect(worse.targetBeatsBaseline).toBe(false);
    expect(worse.difference.value).toBeLessThan(0);
  });
});

