import { OrchestraError } from '@orchestra/learning-types';

const name = 'OrchestraPolicyError';

/** Why a learned policy could not give a decision (the router maps each to a counted fallback reason). */
export const policyErrorReasons = [
  /** The feature schema the caller encodes with differs from the model's. */
  'feature-schema-mismatch',
  /** The network produced NaN or ±Infinity. */
  'non-finite-output',
  /** No valid action exists under the masks (conflicting constraints). */
  'no-valid-action',
] as const;
export type PolicyErrorReason = (typeof policyErrorReasons)[number];

/** A policy could not decide; `reason` says why. The router never lets it reach the orchestrator. */
export class PolicyError extends OrchestraError {
  readonly reason: PolicyErrorReason;
  /** The policy version concerned, when known. */
  readonly policyVersion: string | undefined;

  constructor({ reason, message, policyVersion, cause }: { reason: PolicyErrorReason; message: string; policyVersion?: string; cause?: unknown }) {
    super({ name, code: 'ORCHESTRA_POLICY', message: `Policy ${policyVersion ?? '(unknown)'} failed (${reason}): ${message}`, cause });
    this.reason = reason;
    this.policyVersion = policyVersion;
  }

  static override isInstance(error: unknown): error is PolicyError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
