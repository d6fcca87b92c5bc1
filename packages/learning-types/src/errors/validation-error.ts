import { OrchestraError } from './orchestra-error';

const name = 'OrchestraValidationError';

/** One problem found while validating input: the path of the offending field and what is wrong with it. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `workflow.0.modelUsage.1.tokensUsed`; empty for the root value. */
  path: string;
  message: string;
}

/** Input did not match a schema. `field` names the first offending field; `issues` lists all of them. */
export class ValidationError extends OrchestraError {
  /** What was being validated, e.g. `EnhancedSessionState`. */
  readonly what: string;
  /** Path of the first offending field (`''` for the root value). */
  readonly field: string;
  readonly issues: ValidationIssue[];
  /** The rejected value (kept for diagnostics; not serialised into the message). */
  readonly value: unknown;

  constructor({ what, issues, value, cause }: { what: string; issues: ValidationIssue[]; value: unknown; cause?: unknown }) {
    const first = issues[0] ?? { path: '', message: 'invalid value' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super({
      name,
      code: 'ORCHESTRA_VALIDATION',
      message: `Invalid ${what}: ${first.path === '' ? '<root>' : first.path}: ${first.message}${more}`,
      cause,
    });
    this.what = what;
    this.field = first.path;
    this.issues = issues;
    this.value = value;
  }

  static override isInstance(error: unknown): error is ValidationError {
    return OrchestraError.isInstance(error) && error.name === name;
  }
}
