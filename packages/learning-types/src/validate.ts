import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors';

/** Result of `safeValidate`: the parsed value, or a `ValidationError` naming the offending field. */
export type ValidationResult<T> = { success: true; value: T } | { success: false; error: ValidationError };

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join('.'),
    message: issue.message,
  }));
}

/** Validates `value` against `schema` without throwing. `what` names the record in the error message. */
export function safeValidate<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): ValidationResult<z.output<Schema>> {
  const result = schema.safeParse(value);
  if (result.success) return { success: true, value: result.data };
  return { success: false, error: new ValidationError({ what, issues: toIssues(result.error), value, cause: result.error }) };
}

/** Validates `value` against `schema`; throws a `ValidationError` naming the first offending field. */
export function validate<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.output<Schema> {
  const result = safeValidate(schema, value, what);
  if (!result.success) throw result.error;
  return result.value;
}
