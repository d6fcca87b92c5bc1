import type { ActionSpace } from '@orchestra/learning-features';
import { RulesPolicy, SafetyGuard } from '@orchestra/learning-policy';
import { ValidationError, type Experience } from '@orchestra/learning-types';
import { policyInputOf } from '../ope/evaluated-policy-from-policy';
import type { ExperienceDataset } from './experience-dataset';

/**
 * The default rules (greedy) over `actionSpace`, or undefined when they cannot act in it: the default rules name
 * models of the default catalog, and an action space of other models has no rules reference.
 */
export function defaultRulesOf(actionSpace: ActionSpace): RulesPolicy | undefined {
  try {
    return new RulesPolicy({ guard: new SafetyGuard({ space: actionSpace }) });
  } catch (error) {
    if (ValidationError.isInstance(error)) return undefined;
    throw error;
  }
}

/**
 * The default rules' greedy action of every row (`size × headCount`, in the dataset's row order): what the actor's
 * rules prior adds its bonus to, and the reference a switch critic measures choices from. The rules decide from the
 * experience's logged state, as they would have then. Undefined when the default rules cannot act in `actionSpace`.
 */
export function rulesGreedyIndices(experiences: readonly Experience[], dataset: ExperienceDataset, actionSpace: ActionSpace): Int32Array | undefined {
  const rules = defaultRulesOf(actionSpace);
  if (rules === undefined) return undefined;
  const byId = new Map(experiences.map((experience) => [experience.id, experience]));
  const indices = new Int32Array(dataset.size * dataset.headCount);
  dataset.ids.forEach((id, row) => {
    indices.set(rules.greedyIndices(policyInputOf(byId.get(id)!)), row * dataset.headCount);
  });
  return indices;
}
