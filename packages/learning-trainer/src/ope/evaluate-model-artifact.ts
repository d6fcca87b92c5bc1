import type { ActionSpace } from '@orchestra/learning-features';
import type { Experience } from '@orchestra/learning-types';
import { LearnedPolicy, ModelArtifactError, RulesPolicy, SafetyGuard, type LearnedPolicyOptions } from '@orchestra/learning-policy';
import type { BootstrapComparison } from './compare-policy-values';
import { evaluate, type ExperienceEvaluationOptions } from './evaluate';
import { evaluatedPolicyFromPolicy } from './evaluated-policy-from-policy';
import { compareWithCritic, type CompareWithCriticOptions, type CriticGateComparison, type GatePolicy } from './critic-gate';

/**
 * What the gate compares (`judge`). `decisions` (default): a candidate served by `argmax` (and a deployed baseline
 * model) is judged by its greedy decisions, ε 0, as the baseline rules are — the gate compares what the policies
 * decide, which is also what a held-out evaluation of the two measures; their ε-exploration is a cost the operator
 * sets for either. `as-served`: the candidate with its ε, against the greedy baseline rules. A candidate served by
 * `sample` is judged as it samples either way.
 */
export type GateJudgement = 'decisions' | 'as-served';

/** The options `LearnedPolicy.load` gets for the gate: `learnedPolicy` as given, or its greedy decisions (`judge`). */
export function judgedPolicyOptions(learnedPolicy: LearnedPolicyOptions | undefined, judge: GateJudgement = 'decisions'): LearnedPolicyOptions | undefined {
  if (judge === 'as-served' || learnedPolicy?.selection !== 'argmax' || (learnedPolicy.epsilon ?? 0) === 0) return learnedPolicy;
  return { ...learnedPolicy, epsilon: 0 };
}

/** Options of `evaluateModelArtifact`. */
export interface EvaluateModelArtifactOptions extends ExperienceEvaluationOptions {
  /** How the candidate would be deployed (selection, temperature, ε, guard…); the same as `LearnedPolicy.load` takes. */
  learnedPolicy?: LearnedPolicyOptions;
  /** Whether an `argmax` candidate is judged by its greedy decisions (default) or with its ε (`GateJudgement`). */
  judge?: GateJudgement;
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
): Promise<BootstrapComparison> {
  const { learnedPolicy, judge, rules, ...evaluationOptions } = options;
  const candidate = await LearnedPolicy.load(directory, judgedPolicyOptions(learnedPolicy, judge));
  return evaluate(evaluatedPolicyFromPolicy(candidate.version, candidate), evaluatedPolicyFromPolicy('rules', rules ?? new RulesPolicy({ guard: new SafetyGuard({ space: candidate.space }) })), logs, evaluationOptions);
}

/** Options of `evaluateModelArtifactWithCritic`. */
export interface EvaluateWithCriticOptions extends Omit<CompareWithCriticOptions, 'candidate' | 'baseline' | 'logs' | 'actionSpace'> {
  learnedPolicy?: LearnedPolicyOptions;
  /** Whether an `argmax` candidate is judged by its greedy decisions (default) or with its ε (`GateJudgement`). */
  judge?: GateJudgement;
  rules?: RulesPolicy;
}

/**
 * The deploy gate for a written artifact with the training run's critic as the direct method (`compareWithCritic`):
 * loads the candidate exactly as production would and compares it with the rules on held-out logs.
 *
 * @throws ModelArtifactError when the artifact cannot be loaded.
 */
export async function evaluateModelArtifactWithCritic(directory: string, logs: readonly Experience[], options: EvaluateWithCriticOptions): Promise<CriticGateComparison> {
  const { learnedPolicy, judge, rules, ...gate } = options;
  const { candidate, baseline, actionSpace } = await loadGatePolicies(directory, { learnedPolicy: judgedPolicyOptions(learnedPolicy, judge), rules });
  return compareWithCritic({ ...gate, actionSpace, logs, candidate, baseline });
}

/**
 * The critic gate's two policies for a written artifact: the candidate loaded exactly as production would
 * (`LearnedPolicy.load`), and the baseline — the rules of its catalog (the default rules name models another catalog
 * does not have), or, with `baselineDirectory`, the model deployed there, loaded the same way (a challenger's
 * comparison with the model it would replace).
 *
 * @throws ModelArtifactError when an artifact cannot be loaded, or when the baseline's action space differs.
 */
export async function loadGatePolicies(
  directory: string,
  options: { learnedPolicy?: LearnedPolicyOptions | undefined; rules?: RulesPolicy | undefined; baselineDirectory?: string | undefined } = {},
): Promise<{ candidate: GatePolicy; baseline: GatePolicy; actionSpace: ActionSpace }> {
  const learned = await LearnedPolicy.load(directory, options.learnedPolicy);
  const candidate: GatePolicy = { name: learned.version, decide: (input) => learned.decide(input), probabilityOf: (action, input) => learned.probabilityOf(action, input) };
  if (options.baselineDirectory !== undefined) {
    const deployed = await LearnedPolicy.load(options.baselineDirectory, options.learnedPolicy);
    if (deployed.space.hash !== learned.space.hash) {
      throw new ModelArtifactError({
        reason: 'action-space-mismatch',
        location: `${options.baselineDirectory}/manifest.json`,
        message: `the baseline model ${deployed.version} has another action space than the candidate ${learned.version}`,
      });
    }
    return { candidate, baseline: { name: deployed.version, decide: (input) => deployed.decide(input), probabilityOf: (action, input) => deployed.probabilityOf(action, input) }, actionSpace: learned.space };
  }
  const rules = options.rules ?? new RulesPolicy({ guard: new SafetyGuard({ space: learned.space }) });
  return {
    candidate,
    baseline: { name: 'rules', decide: (input) => rules.decide(input), probabilityOf: (action, input) => rules.probabilityOf(action, input) },
    actionSpace: learned.space,
  };
}
