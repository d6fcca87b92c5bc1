import type { Action, Experience } from '@orchestra/learning-types';
import type { PolicyInput } from '@orchestra/learning-policy';
import type { EvaluatedPolicy } from './evaluate';

/** Anything that states the exact probability of an action, as `RulesPolicy` and `LearnedPolicy` do. */
export interface ProbabilityReportingPolicy {
  probabilityOf(action: Action, input: PolicyInput): number;
}

/** The policy input an experience was decided on: its logged context, system state, history and task text. */
export function policyInputOf(experience: Experience): PolicyInput {
  return {
    context: experience.state.context,
    system: experience.state.system,
    history: experience.state.history,
    text: experience.task?.description,
    sessionId: experience.sessionId,
  };
}

/**
 * Wraps a policy of the policy package (`RulesPolicy`, `LearnedPolicy`, …) for `evaluate`: the probability of each
 * logged action is `policy.probabilityOf(experience.action, <the experience's logged state>)`.
 */
export function evaluatedPolicyFromPolicy(name: string, policy: ProbabilityReportingPolicy): EvaluatedPolicy {
  return { name, probability: (experience) => policy.probabilityOf(experience.action, policyInputOf(experience)) };
}
