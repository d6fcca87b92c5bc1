import type { ActionSpace } from '@orchestra/learning-features';
import { RulesPolicy, SafetyGuard, type PolicyInput } from '@orchestra/learning-policy';
import { ValidationError, type Experience } from '@orchestra/learning-types';
import { policyInputOf } from '../ope/evaluated-policy-from-policy';
import type { ExperienceDataset } from './experience-dataset';

/**
 * The default rules' greedy action for a policy input (a logged state read with `policyInputOf`: the rules decide as
 * they would have then). Undefined when the default rules cannot act in `actionSpace` (another model catalog: they
 * name models it does not have).
 */
export function defaultRulesActionOf(actionSpace: ActionSpace): ((input: PolicyInput) => Int32Array) | undefined {
  let rules: RulesPolicy;
  try {
    rules = new RulesPolicy({ guard: new SafetyGuard({ space: actionSpace }) });
  } catch (error) {
    if (ValidationError.isInstance(error)) return undefined;
    throw error;
  }
  return (input) => Int32Array.from(rules.greedyIndices(input));
}

/**
 * The default rules' greedy action of every row of `dataset` (`size × headCount`, in the dataset's row order), or
 * undefined when they cannot act in `actionSpace` (see `defaultRulesActionOf`).
 */
export function rulesGreedyIndices(experiences: readonly Experience[], dataset: ExperienceDataset, actionSpace: ActionSpace): Int32Array | undefined {
  const actionOf = defaultRulesActionOf(actionSpace);
  if (actionOf === undefined) return undefined;
  const byId = new Map(experiences.map((experience) => [experience.id, experience]));
  const indices = new Int32Array(dataset.size * dataset.headCount);
  dataset.ids.forEach((id, row) => indices.set(actionOf(policyInputOf(byId.get(id)!)), row * dataset.headCount));
  return indices;
}
