import type { StateInput } from '@orchestra/learning-features';
import type { Action, Decision } from '@orchestra/learning-types';

/**
 * What a policy decides from: the task context, the orchestrator's load, the history of similar tasks (optional),
 * and the session id (used by the A/B assignment; decisions of one session stay in one arm).
 */
export type PolicyInput = StateInput & {
  readonly sessionId?: string | undefined;
  /**
   * The cost–quality knob of this decision (`costWeightSchema` of the types package: a finite number ≥ 0; absent =
   * `DEFAULT_COST_WEIGHT`, 1, the trade-off the policy was built or trained for). The rules move every role's model
   * along the catalog's price ladder; a learned policy re-scores its model choices with its outcome predictions (see
   * the package README). The decision carries it (`Decision.costWeight`), and its propensity is the probability under
   * it, so a logged experience records the weight its propensity belongs to.
   */
  readonly costWeight?: number | undefined;
};

/** A policy: chooses an action for a task and states the exact probability with which it chose it. */
export interface Policy {
  /** Chooses an action. `RulesPolicy` never throws for typed input; `LearnedPolicy` throws `PolicyError`. */
  decide(input: PolicyInput): Decision;
  /**
   * The probability with which this policy would choose `action` for `input` (same exploration setting), used to
   * log the mixture propensity of an A/B test. Optional: policies without it are logged arm-conditionally.
   */
  probabilityOf?(action: Action, input: PolicyInput): number;
}
