import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { taskTypes, type Experience } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { buildExperienceDataset } from './experience-dataset';
import { buildLocalEvidence } from './local-evidence';
import { syntheticExperiences } from './test-support/synthetic-experiences';

const actionSpace = new ActionSpace();
const headCount = actionSpace.heads.length;
const approach = actionHeads.approach;

/**
 * 300 logs of the rules' action (approach 1) in one cell: 100 kept the rules' action (reward 100), 50 explored the
 * approach to 2 (reward 150), 50 to 3 (reward 50), 2 to 0 (reward 200: too few), and 98 differ from the rules in
 * three heads (a learned policy acted: no evidence).
 */
function logs(): { experiences: Experience[]; rules: Int32Array } {
  const experiences = syntheticExperiences({ count: 300, seed: 5, exploration: 0, stateSize: 15 });
  const rules = new Int32Array(experiences.length * headCount);
  const changed = experiences.map((experience, row) => {
    const indices = actionSpace.encode(experience.action);
    rules.set(indices, row * headCount);
    let total = 100;
    if (row >= 100 && row < 150) [indices[approach], total] = [2, 150];
    else if (row >= 150 && row < 200) [indices[approach], total] = [3, 50];
    else if (row >= 200 && row < 202) [indices[approach], total] = [0, 200];
    else if (row >= 202) {
      indices[approach] = 2;
      indices[actionHeads.timeout] = (indices[actionHeads.timeout]! + 1) % actionSpace.heads[actionHeads.timeout]!.size;
      indices[actionHeads.safety] = (indices[actionHeads.safety]! + 1) % actionSpace.heads[actionHeads.safety]!.size;
      total = -100;
    }
    return { ...experience, action: actionSpace.decode(indices), propensity: row < 100 ? 0.7 : 0.01, reward: { ...experience.reward, total } };
  });
  return { experiences: changed, rules };
}

describe('buildLocalEvidence', () => {
  const { experiences, rules } = logs();
  const dataset = buildExperienceDataset(experiences, { actionSpace });
  const all = Int32Array.from({ length: dataset.size }, (_, row) => row);

  it('allows a change the randomised logs of its cell support and refuses one they contradict', () => {
    const evidence = buildLocalEvidence(dataset, actionSpace, rules, all, 3);
    expect(evidence.allows(0, approach, 1, 2)).toBe(true);
    expect(evidence.allows(0, approach, 1, 3)).toBe(false);
    expect(evidence.allows(0, approach, 2, 1)).toBe(false);
    expect(evidence.allows(0, approach, 3, 2)).toBe(true);
  });

  it('refuses a choice logged fewer than the minimum times, and counts only one-head explorations and the rules’ own rows', () => {
    const evidence = buildLocalEvidence(dataset, actionSpace, rules, all, 3);
    expect(evidence.allows(0, approach, 1, 0)).toBe(false);
    expect(buildLocalEvidence(dataset, actionSpace, rules, all, 2).allows(0, approach, 1, 0)).toBe(true);
    expect(evidence.rows).toBe(202);
    // Rows of a learned policy (three heads changed, reward −100) do not drag approach 2 below the rules' choice.
    expect(buildLocalEvidence(dataset, actionSpace, rules, all.subarray(100), 3).allows(150, approach, 3, 2)).toBe(true);
  });

  it('uses only the rows it is given', () => {
    const evidence = buildLocalEvidence(dataset, actionSpace, rules, all.subarray(0, 100), 3);
    expect(evidence.allows(0, approach, 1, 2)).toBe(false);
    expect(evidence.cells).toBeGreaterThan(0);
  });
});

describe('buildLocalEvidence by task type', () => {
  it('lets a task type that logged both choices often enough decide for its own rows', () => {
    // Two task types; approach 2 pays +100 on the first and −40 on the second: the pooled cell favours it.
    const types = taskTypes.slice(0, 2);
    const experiences = syntheticExperiences({ count: 400, seed: 9, exploration: 0, stateSize: 15, taskTypes: types });
    const rules = new Int32Array(experiences.length * headCount);
    const changed = experiences.map((experience, row) => {
      const indices = actionSpace.encode(experience.action);
      indices[approach] = 1;
      rules.set(indices, row * headCount);
      const first = experience.state.features[0] === 1;
      let total = 100;
      if (row % 2 === 1) [indices[approach], total] = [2, first ? 200 : 60];
      return { ...experience, action: actionSpace.decode(indices), propensity: 0.5, reward: { ...experience.reward, total } };
    });
    const dataset = buildExperienceDataset(changed, { actionSpace });
    const all = Int32Array.from({ length: dataset.size }, (_, row) => row);
    const rowOf = (first: boolean) => changed.findIndex((experience) => (experience.state.features[0] === 1) === first);
    const evidence = buildLocalEvidence(dataset, actionSpace, rules, all, 3);
    expect(evidence.allows(rowOf(true), approach, 1, 2)).toBe(true);
    expect(evidence.allows(rowOf(false), approach, 1, 2)).toBe(false);
    // With a minimum no single type reaches, the pooled cell decides for both.
    const pooled = buildLocalEvidence(dataset, actionSpace, rules, all, 150);
    expect(pooled.allows(rowOf(false), approach, 1, 2)).toBe(true);
  });
});
