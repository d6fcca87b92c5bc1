import Ajv, { type ValidateFunction } from 'ajv';
import { actionSchema, experienceSchema, taskContextSchema, type Experience } from '@orchestra/learning-types';
import { z } from 'zod';

/**
 * A compiled check of one zod schema's *output* shape: Ajv compiles the schema's JSON Schema (output mode, so
 * defaulted fields are required and plain objects admit no unknown keys) into one function, plus the zod parts
 * that JSON Schema cannot express (refinements) checked by zod itself. When it accepts a value, parsing it with the
 * zod schema would succeed and return an equal value — so the value can be used as it is, validated. When it
 * refuses, nothing is decided: the caller parses with zod, which migrates, fills defaults, strips unknown keys or
 * reports the error. It never accepts what zod refuses (a differential test checks it), only speeds up the common
 * case: records already in their stored form.
 */
export interface CompiledCheck<T> {
  (value: unknown): value is T;
}

let ajv: Ajv | undefined;

function compileOutputSchema(schema: z.ZodType): ValidateFunction {
  // strictNumbers: NaN and ±Infinity are not numbers (zod's z.number() refuses them); formats are checked by the
  // patterns zod emits beside them, so Ajv's own format checks are off.
  ajv ??= new Ajv({ strict: false, strictNumbers: true, validateFormats: false, allErrors: false });
  const document = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' }) as Record<string, unknown>;
  delete document.$schema;
  return ajv.compile(document);
}

function compiledCheck<T>(schema: z.ZodType, refined: readonly ((value: T) => boolean)[]): CompiledCheck<T> {
  let compiled: ValidateFunction | undefined;
  return (value: unknown): value is T => {
    compiled ??= compileOutputSchema(schema);
    if (!compiled(value)) return false;
    for (const check of refined) if (!check(value as T)) return false;
    return true;
  };
}

/**
 * `Experience` in its stored form. The refinements of the action (agents include the executor, no repeats, models
 * per agent) and of the task context (domains unique) are zod's own, run on those two small objects.
 */
const experienceRefinements: readonly ((experience: Experience) => boolean)[] = [
  (experience) => actionSchema.safeParse(experience.action).success,
  (experience) => taskContextSchema.safeParse(experience.state.context).success,
];

export const isStoredExperience: CompiledCheck<Experience> = compiledCheck<Experience>(experienceSchema, experienceRefinements);

/** The experience schema without its (large) raw session: for records whose session was validated already. */
export const experienceWithoutSessionSchema = experienceSchema.omit({ session: true });

/** `isStoredExperience` for a record without its raw session (the collector attaches a validated session after). */
export const isStoredExperienceWithoutSession: CompiledCheck<Experience> = compiledCheck<Experience>(experienceWithoutSessionSchema, experienceRefinements);
