import type { z } from 'zod';
import { SchemaVersionError } from './errors';
import { EXPERIENCE_SCHEMA_VERSION, experienceSchema, type Experience } from './experience';
import { OUTCOME_SCHEMA_VERSION, outcomeSchema, type Outcome } from './outcome';
import { SESSION_SCHEMA_VERSION, enhancedSessionStateSchema, type EnhancedSessionState } from './session';
import { migrateSessionVersion1, usesSessionVersion1Names } from './session-migration';
import { safeValidate, type ValidationResult } from './validate';

/** Turns a record of version `from` into version `from + 1`. */
export type Migration = (record: Record<string, unknown>) => Record<string, unknown>;

/** A versioned record kind: its current version, schema, and the migrations from each older version. */
export interface VersionedRecord<Schema extends z.ZodType> {
  name: string;
  currentVersion: number;
  schema: Schema;
  /** Whether a record without `schemaVersion` is read as the current version. */
  versionOptional: boolean;
  /** `migrations[v]` upgrades version v to v + 1. */
  migrations: Readonly<Record<number, Migration>>;
  /** The version of a record without `schemaVersion`, when it can be told from its fields (else as `versionOptional`). */
  inferVersion?: (record: Record<string, unknown>) => number | undefined;
}

/**
 * Brings `input` to the current version of `kind` and validates it. Records newer than this code, older ones with
 * no migration path, or with a malformed version fail with a `SchemaVersionError`; shape errors with a
 * `ValidationError` naming the field.
 */
export function safeParseVersioned<Schema extends z.ZodType>(
  kind: VersionedRecord<Schema>,
  input: unknown,
): ValidationResult<z.output<Schema>> | { success: false; error: SchemaVersionError } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return safeValidate(kind.schema, input, kind.name);
  }
  let record = input as Record<string, unknown>;
  let version: unknown = record.schemaVersion;
  if (version === undefined) version = kind.inferVersion?.(record);
  if (version === undefined && kind.versionOptional) version = kind.currentVersion;
  const fail = (reason: string) => ({
    success: false as const,
    error: new SchemaVersionError({ record: kind.name, found: record.schemaVersion, supported: kind.currentVersion, reason }),
  });
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail('schemaVersion must be a positive integer');
  }
  if (version > kind.currentVersion) return fail('it was written by a newer version; upgrade @orchestra/learning-types');
  while (version < kind.currentVersion) {
    const migrate: Migration | undefined = kind.migrations[version];
    if (migrate === undefined) return fail(`no migration from version ${version}`);
    record = { ...migrate(record), schemaVersion: version + 1 };
    version += 1;
  }
  return safeValidate(kind.schema, { ...record, schemaVersion: kind.currentVersion }, kind.name);
}

/** Like `safeParseVersioned`, but throws the error. */
export function parseVersioned<Schema extends z.ZodType>(kind: VersionedRecord<Schema>, input: unknown): z.output<Schema> {
  const result = safeParseVersioned(kind, input);
  if (!result.success) throw result.error;
  return result.value;
}

/** The versioned record kinds of this package. Migrations are added here when a version changes. */
export const versionedRecords = {
  experience: {
    name: 'Experience',
    currentVersion: EXPERIENCE_SCHEMA_VERSION,
    schema: experienceSchema,
    versionOptional: false,
    migrations: {},
  },
  session: {
    name: 'EnhancedSessionState',
    currentVersion: SESSION_SCHEMA_VERSION,
    schema: enhancedSessionStateSchema,
    versionOptional: true,
    migrations: { 1: migrateSessionVersion1 },
    inferVersion: (record: Record<string, unknown>) => (usesSessionVersion1Names(record) ? 1 : undefined),
  },
  outcome: {
    name: 'Outcome',
    currentVersion: OUTCOME_SCHEMA_VERSION,
    schema: outcomeSchema,
    versionOptional: true,
    migrations: {},
  },
} as const satisfies Record<string, VersionedRecord<z.ZodType>>;

/** Parses and migrates an `Experience`; throws `SchemaVersionError` or `ValidationError`. */
export function parseExperience(input: unknown): Experience {
  return parseVersioned(versionedRecords.experience, input);
}

/** Parses and migrates an `EnhancedSessionState`; throws `SchemaVersionError` or `ValidationError`. */
export function parseSessionState(input: unknown): EnhancedSessionState {
  return parseVersioned(versionedRecords.session, input);
}

/** Parses and migrates an `Outcome`; throws `SchemaVersionError` or `ValidationError`. */
export function parseOutcome(input: unknown): Outcome {
  return parseVersioned(versionedRecords.outcome, input);
}
