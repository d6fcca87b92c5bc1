import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SchemaVersionError, ValidationError } from './errors';
import { parseExperience, parseVersioned, safeParseVersioned, type VersionedRecord } from './versioning';

const widget = {
  name: 'Widget',
  currentVersion: 3,
  schema: z.object({ schemaVersion: z.literal(3), size: z.number(), unit: z.string() }),
  versionOptional: false,
  migrations: {
    1: (record: Record<string, unknown>) => ({ ...record, size: Number(record.width) }),
    2: (record: Record<string, unknown>) => ({ ...record, unit: 'cm' }),
  },
} satisfies VersionedRecord<z.ZodType>;

describe('versioned records', () => {
  it('migrates an old record step by step to the current version', () => {
    expect(parseVersioned(widget, { schemaVersion: 1, width: '4' })).toEqual({ schemaVersion: 3, size: 4, unit: 'cm' });
  });

  it('refuses a record from a newer version with a clear error', () => {
    const result = safeParseVersioned(widget, { schemaVersion: 4, size: 1, unit: 'cm' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(SchemaVersionError.isInstance(result.error)).toBe(true);
    expect(result.error.message).toMatch(/newer version/);
  });

  it('refuses a missing version when the kind requires one', () => {
    expect(() => parseVersioned(widget, { size: 1, unit: 'cm' })).toThrowError(/schemaVersion must be a positive integer/);
  });

  it('refuses a version with no migration path', () => {
    const noPath = { ...widget, migrations: { 2: widget.migrations[2] } };
    expect(() => parseVersioned(noPath, { schemaVersion: 1, width: 1 })).toThrowError(/no migration from version 1/);
  });

  it('reports a non-object experience as a validation error, not a crash', () => {
    expect(() => parseExperience('not an object')).toThrow(ValidationError);
  });
});
