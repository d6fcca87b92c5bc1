import type { Experience } from '@orchestra/learning-types';
import { LearnedPolicy, RulesPolicy, SafetyGuard, type LearnedPolicyOptions } from '@orchestra/learning-policy';
import type { PolicyComparison } from './compare-policy-values';
import { evaluate, type ExperienceEvaluationOptions } from './evaluate';
import { evaluatedPolicyFromPolicy } from './evaluated-policy-from-policy';

/** Options of `evaluateModelArtifact`. */
export interface EvaluateModelArtifactOptions extends ExperienceEvaluationOptions {
  /** How the candidate would be deployed (selection, temperature, ε, guard…); the same as `LearnedPolicy.load` takes. */
  learnedPolicy?: LearnedPolicyOptions;
  /** The baseline; default: greedy rules with the default configuration over the artifact's action space (its catalog). */
  rules?: RulesPolicy;
}

/**
 * The deploy gate for a written artifact: loads it exactly as production would (`LearnedPolicy.load`, with its
 * safety masks and selection mode) and compares it with the rules on held-out logs (`evaluate`). The target is named
 * after the artifact's version.
 *
 * @throws ModelArtifactError when the artifact cannot be loaded; InsufficientOverlapError / ValidationError as `evaluate`.
 */
export async function evaluateModelArtifact(
  directory: string,
  logs: readonly Experience[],
  options: EvaluateModelArtifactOptions = {},
): Promise<PolicyComparison> {
  const { learnedPolicy, rules, ...evaluationOptions } = options;
  const candidate = await LearnedPolicy.load(directory, learnedPolicy);
  return evaluate(evaluatedPolicyFromPolicy(candidate.version, candidate), evaluatedPolicyFromPolicy('rules', rules ?? new RulesPolicy({ guard: new SafetyGuard({ space: candidate.space }) })), logs, evaluationOptions);
}
