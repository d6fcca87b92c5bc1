import Ajv, { type ValidateFunction } from 'ajv';
import {
  SESSION_SCHEMA_VERSION,
  actionSchema,
  decisionSchema,
  enhancedSessionStateSchema,
  experienceSchema,
  outcomeSchema,
  systemStateSchema,
  taskContextSchema,
  usesSessionVersion1Names,
  type Action,
  type Decision,
  type EnhancedSessionState,
  type Experience,
  type Outcome,
  type SystemState,
  type TaskContext,
} from '@orchestra/learning-types';
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
let ajvFillingDefaults: Ajv | undefined;

function compileOutputSchema(schema: z.ZodType, fillDefaults = false): ValidateFunction {
  // strictNumbers: NaN and ±Infinity are not numbers (zod's z.number() refuses them); formats are checked by the
  // patterns zod emits beside them, so Ajv's own format checks are off. `useDefaults` writes the schema's defaults
  // (zod's own, as its JSON Schema states them; deep copies) into missing properties before checking them.
  // `code.optimize: false`: Ajv's pass over the generated code costs a fifth of each compile (paid at every process
  // start) and, measured on the session and experience schemas, does not make the checks faster.
  const options = { strict: false, strictNumbers: true, validateFormats: false, allErrors: false, code: { optimize: false } } as const;
  const instance = fillDefaults ? (ajvFillingDefaults ??= new Ajv({ ...options, useDefaults: true })) : (ajv ??= new Ajv(options));
  const document = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' }) as Record<string, unknown>;
  delete document.$schema;
  return instance.compile(document);
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
 * A compiled parse of a value the caller owns (freshly parsed JSON): zod's defaults are written into it in place
 * (what zod would fill), then it is checked as `CompiledCheck` does. It returns the value itself when zod would
 * accept it and return an equal value, else `undefined` — the caller then parses it with zod, which decides (the
 * defaults written meanwhile are zod's own, so its result is the same). Never for values a caller may still hold.
 */
export interface CompiledParse<T> {
  (value: unknown): T | undefined;
}

/** Compiles `schema`'s output form (plus `refined`, the zod refinements JSON Schema cannot state) into a `CompiledParse`, on first use. */
export function compiledParse<T>(schema: z.ZodType, refined: readonly ((value: T) => boolean)[] = []): CompiledParse<T> {
  let compiled: ValidateFunction | undefined;
  return (value: unknown): T | undefined => {
    compiled ??= compileOutputSchema(schema, true);
    if (!compiled(value)) return undefined;
    for (const check of refined) if (!check(value as T)) return undefined;
    return value as T;
  };
}

const parseCurrentSession: CompiledParse<EnhancedSessionState> = compiledParse<EnhancedSessionState>(enhancedSessionStateSchema);

/**
 * `parseSessionState` of a session the caller owns (freshly parsed JSON), at a fraction of zod's cost when it is
 * of the current version (or has no version and none of version 1's names): its defaults are filled in place and
 * the value itself returned. `undefined` for anything else (older versions to migrate, invalid input): the caller
 * then parses with `parseSessionState`, which migrates or names the error.
 */
export function parseOwnedSession(value: unknown): EnhancedSessionState | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SESSION_SCHEMA_VERSION && (version !== undefined || usesSessionVersion1Names(value as Record<string, unknown>))) return undefined;
  return parseCurrentSession(value);
}

/** `validate(outcomeSchema, …)` of an outcome the caller just built (its defaults are filled in place); `undefined`: ask zod. */
export const parseOwnedOutcome: CompiledParse<Outcome> = compiledParse<Outcome>(outcomeSchema);

/** A session in its parsed form (every default present, nothing to migrate): `parseSessionState` would return an equal value. */
export const isParsedSession: CompiledCheck<EnhancedSessionState> = compiledCheck<EnhancedSessionState>(enhancedSessionStateSchema, []);

/** A task context in its parsed form (with zod's refinement: domains do not repeat). */
export const isParsedTaskContext: CompiledCheck<TaskContext> = compiledCheck<TaskContext>(taskContextSchema, [taskContextRefinementHolds]);

/** A system state in its parsed form. */
export const isParsedSystemState: CompiledCheck<SystemState> = compiledCheck<SystemState>(systemStateSchema, []);

/**
 * The refinements of `actionSchema` that JSON Schema cannot state, restated for the compiled checks (zod's: the
 * executor takes part, no agent twice, a model for every agent); the differential tests hold them to zod's verdicts.
 */
export function actionRefinementsHold(action: Action): boolean {
  const agents = action.agents;
  if (!agents.includes('executor') || new Set(agents).size !== agents.length) return false;
  for (const agent of agents) if (action.models[agent] === undefined) return false;
  return true;
}

/** The refinement of `taskContextSchema` (domains do not repeat), restated as `actionRefinementsHold` is. */
function taskContextRefinementHolds(context: TaskContext): boolean {
  return new Set(context.domains).size === context.domains.length;
}

/** `Experience` in its stored form: the compiled schema, then the refinements of its action and task context. */
const experienceRefinements: readonly ((experience: Experience) => boolean)[] = [
  (experience) => actionRefinementsHold(experience.action),
  (experience) => taskContextRefinementHolds(experience.state.context),
];

export const isStoredExperience: CompiledCheck<Experience> = compiledCheck<Experience>(experienceSchema, experienceRefinements);

/** The experience schema without its (large) raw session: for records whose session was validated already. */
export const experienceWithoutSessionSchema = experienceSchema.omit({ session: true });

/**
 * The experience schema without its raw session, and with the parts `ExperienceCollector.build` takes already
 * validated — task context, system state, history (their schemas and refinements), the decision's action (schema and
 * refinements) and the outcome — left unchecked: everything else of the record (ids, timestamp, features, policy,
 * mode, reward, task) is checked by the experience schema's own definitions.
 */
const builtExperiencePartsSchema = experienceWithoutSessionSchema.extend({
  state: experienceSchema.shape.state.extend({ context: z.unknown(), system: z.unknown(), history: z.unknown().optional() }),
  action: z.unknown(),
  outcome: z.unknown(),
});

/**
 * The compiled check of `experienceWithoutSessionSchema` for a record `build` assembled from validated parts (see
 * `builtExperiencePartsSchema`): the same verdict for such records at a fraction of the compile and check cost.
 * Only for records whose context, system state, history, action and outcome are parsed values.
 */
export const isBuiltExperienceWithoutSession: CompiledCheck<Experience> = compiledCheck<Experience>(builtExperiencePartsSchema, []);

const isParsedDecision: CompiledCheck<Decision> = compiledCheck<Decision>(decisionSchema, [(decision) => actionRefinementsHold(decision.action)]);

/**
 * `validate(decisionSchema, input)` by the compiled check when it can decide: the fields of a `Decision` taken from
 * `input` (a facade's decision carries more, which zod would strip), returned when zod would accept them and return
 * an equal value (a missing `explanation` is zod's default, `[]`); `undefined` otherwise — the caller asks zod, which
 * names the error. The action, prediction and cost weight are `input`'s own objects, not copies.
 */
export function parsedDecisionFields(input: object): Decision | undefined {
  const fields = input as Record<string, unknown>;
  const decision: Record<string, unknown> = {
    action: fields.action,
    propensity: fields.propensity,
    source: fields.source,
    policyVersion: fields.policyVersion,
    explanation: fields.explanation === undefined ? [] : fields.explanation,
  };
  if (fields.predicted !== undefined) decision.predicted = fields.predicted;
  if (fields.costWeight !== undefined) decision.costWeight = fields.costWeight;
  return isParsedDecision(decision) ? (decision as Decision) : undefined;
}
