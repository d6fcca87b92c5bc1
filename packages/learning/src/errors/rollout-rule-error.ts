import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraRolloutRuleError';

/** The rollout rules a refused change can break; each one has an explicit override (`force`). */
export const rolloutRules = [
  /** A model whose off-policy evaluation did not show it beating the rules may not be deployed. */
  'ope-gate',
  /** `production` needs an `ab_test` period of a minimum number of learned sessions first. */
  'ab-test-period',
  /** The A/B fraction only moves one ramp step at a time, after enough sessions at the current step. */
  'ramp-step',
  /** The learned arm's reward, error rate and cost must stay within the guardrails of the rules arm. */
  'guardrails',
  /** Learned modes (`ab_test`, `production`) need a deployed model. */
  'no-model',
] as const;
export type RolloutRule = (typeof rolloutRules)[number];

/** A deployment or mode change was refused by a rollout rule. Pass `force: true` (`--force`) to override it. */
export class RolloutRuleError extends OrchestraError {
  readonly rule: RolloutRule;

  constructor({ rule, message }: { rule: RolloutRule; message: string }) {
    super({ name, code: 'ORCHESTRA_ROLLOUT_RULE', message: `${message} (rule ${rule}; override with force / --force)` });
    this.rule = rule;
  }

  static override isInstance(error: unknown): error is RolloutRuleError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
