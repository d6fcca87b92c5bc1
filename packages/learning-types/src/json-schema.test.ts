import { describe, expect, it } from 'vitest';
import { recordSchemas, toJsonSchema, type RecordName } from './json-schema';

describe('JSON Schema export', () => {
  it.each(Object.keys(recordSchemas) as RecordName[])('exports %s as an object schema with a title', (name) => {
    const document = toJsonSchema(name);
    expect(document.title).toBe(name);
    expect(document.type).toBe('object');
    expect(document.$schema).toMatch(/json-schema\.org/);
  });

  it('lists the enumerations of the session phase', () => {
    const document = toJsonSchema('EnhancedSessionState') as { properties: { phase: { enum: string[] } } };
    expect(document.properties.phase.enum).toEqual(['planning', 'executing', 'auditing', 'completed', 'failed']);
  });
});
