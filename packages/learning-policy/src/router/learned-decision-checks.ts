import { FeatureSchemaMismatchError } from '@orchestra/learning-features';
import type { Action, Decision } from '@orchestra/learning-types';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { PolicyError } from '../errors/policy-error';
import type { Policy, PolicyInput } from '../policy';
import type { RulesPolicy } from '../rules/rules-policy';
import type { SafetyGuard } from '../safety/safety-guard';
import type { FallbackReason } from './fallback-reason';

/**
 * What the router does when a policy fails: why a learned policy gave no usable decision (the router falls back to
 * the rules and counts the reason), the checks a learned decision must pass, and the default when the rules fail.
 */

/** Why a learned policy gave no usable decision. */
export class LearnedFailure extends Error {
  constructor(readonly reason: FallbackReason, readonly error: unknown) {
    super(reason);
  }
}

export function reasonOfError(error: unknown): FallbackReason {
  if (PolicyError.isInstance(error)) return error.reason === 'non-finite-output' ? 'non-finite-output' : error.reason === 'feature-schema-mismatch' ? 'schema-mismatch' : 'policy-error';
  if (FeatureSchemaMismatchError.isInstance(error)) return 'schema-mismatch';
  if (ModelArtifactError.isInstance(error)) return artifactReason(error);
  return 'policy-error';
}

export function artifactReason(error: ModelArtifactError): FallbackReason {
  if (error.reason === 'feature-schema-mismatch' || error.reason === 'action-space-mismatch') return 'schema-mismatch';
  if (error.reason === 'missing-file' && error.location.endsWith('manifest.json')) return 'no-model';
  return 'corrupt-artifact';
}

/** `policy.probabilityOf(action, input)` when it has one and it is a probability, else null. Never throws. */
export function probabilityOrNull(policy: Pick<Policy, 'probabilityOf'>, action: Action, input: PolicyInput): number | null {
  if (policy.probabilityOf === undefined) return null;
  try {
    const probability = policy.probabilityOf(action, input);
    return probability >= 0 && probability <= 1 ? probability : null;
  } catch {
    return null;
  }
}

/**
 * A learned policy's decision, checked — within the latency budget, a propensity in (0, 1], no hard constraint
 * broken (each violation is recorded by the guard) — or why it is unusable. Never throws.
 */
export function checkedLearnedDecision(
  learned: Policy,
  input: PolicyInput,
  checks: { guard: SafetyGuard; now: () => number; latencyBudgetMs: number },
): Decision | LearnedFailure {
  const started = checks.now();
  let decision: Decision;
  try {
    decision = learned.decide(input);
  } catch (error) {
    return new LearnedFailure(reasonOfError(error), error);
  }
  const elapsed = checks.now() - started;
  if (!(elapsed <= checks.latencyBudgetMs)) {
    return new LearnedFailure('latency-budget', new Error(`learned decision took ${elapsed.toFixed(3)} ms, budget ${checks.latencyBudgetMs} ms`));
  }
  try {
    if (typeof decision !== 'object' || decision === null || !(decision.propensity > 0 && decision.propensity <= 1)) {
      return new LearnedFailure('policy-error', new Error('the learned decision has no propensity in (0, 1]'));
    }
    const violations = checks.guard.checkAction(decision.action, input);
    if (violations.length > 0) {
      for (const violation of violations) {
        checks.guard.record({ type: 'rejected', constraintId: violation.constraintId, head: violation.head, from: violation.label });
      }
      const list = violations.map((violation) => `${violation.constraintId} (${violation.head} ${violation.label})`).join(', ');
      return new LearnedFailure('constraint-violation', new Error(`the learned action violates ${list}`));
    }
  } catch (error) {
    return new LearnedFailure('policy-error', error);
  }
  return decision;
}

/** The router's last resort when even the rules fail (e.g. malformed input): a fixed, conservative action. */
export function emergencyDecision(rules: RulesPolicy, error: unknown): Decision {
  const models = rules.config.plans.simple.models;
  const action: Action = {
    skills: [],
    agents: ['executor', 'auditor'],
    approach: 'sequential',
    parallelism: 1,
    timeoutMultiplier: 1,
    retryStrategy: 'retry_with_backoff',
    safetyLevel: 'strict',
    models: { executor: models.executor, auditor: models.auditor },
  };
  return {
    action,
    propensity: 1,
    source: 'rules',
    policyVersion: rules.version,
    explanation: [`emergency default: the rules failed (${error instanceof Error ? error.message : String(error)})`],
  };
}
