import type { StateInput } from '@orchestra/learning-features';
import type { Action, Decision } from '@orchestra/learning-types';

/**
 * What a policy decides from: the task context, the orchestrator's load, the history of similar tasks (optional),
 * and the session id (used by the A/B assignment; decisions of one session stay in one arm).
 */
export type PolicyInput = StateInput & {
  readonly sessionId?: string | undefined;
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
