import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { FeatureSchemaMismatchError } from './errors';
import {
  assertFeatureSchema,
  DEFAULT_TEXT_DIMENSIONS,
  createFeatureSchema,
  defaultFeatureSchema,
  featureOffsets,
  featureSchemaFromJSON,
  featureSchemaToJSON,
  hashFeatureNames,
} from './feature-schema';

describe('FeatureSchema', () => {
  it('has a pinned hash, so any change of layout is a deliberate, visible change', () => {
    expect(defaultFeatureSchema.size).toBe(51 + 64);
    expect(defaultFeatureSchema.names.length).toBe(defaultFeatureSchema.size);
    expect(defaultFeatureSchema.hash).toMatch(/^[0-9a-f]{64}$/u);
    expect(defaultFeatureSchema.hash).toBe(createFeatureSchema({ textDimensions: DEFAULT_TEXT_DIMENSIONS }).hash);
    expect(createFeatureSchema().hash).toMatchInlineSnapshot(`"7396150c7f3ee1dd96b173bac34ab39012ea6ebeb205be80125d4b2c16f54b4e"`);
    expect(defaultFeatureSchema.hash).toMatchInlineSnapshot(`"988a560b712111b85225cbd388d7643c298eced528078a89a86b6fbd73741022"`);
  });

  it('changes its hash when a name, the order or the version changes', () => {
    const names = [...defaultFeatureSchema.names];
    const base = hashFeatureNames(1, names);
    const renamed = [...names];
    renamed[3] = 'task_type=tests';
    const swapped = [...names];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    expect(hashFeatureNames(1, renamed)).not.toBe(base);
    expect(hashFeatureNames(1, swapped)).not.toBe(base);
    expect(hashFeatureNames(2, names)).not.toBe(base);
    expect(createFeatureSchema({ textDimensions: 16 }).hash).not.toBe(base);
  });

  it('names each block where the encoder writes it', () => {
    const names = defaultFeatureSchema.names;
    expect(names[featureOffsets.taskType]).toBe('task_type=feature');
    expect(names[featureOffsets.primaryDomain]).toBe('primary_domain=frontend');
    expect(names[featureOffsets.domain + 8]).toBe('domain=tooling');
    expect(names[featureOffsets.complexity]).toBe('complexity_ordinal');
    expect(names[featureOffsets.historyModelErrorRate]).toBe('history_model_error_rate');
    expect(names[featureOffsets.load]).toBe('system_load');
    expect(names[featureOffsets.agentAvailability + 3]).toBe('agent_availability=consultant');
    expect(featureOffsets.baseSize + DEFAULT_TEXT_DIMENSIONS).toBe(defaultFeatureSchema.size);
    expect(new Set(names).size).toBe(names.length);
  });

  it('appends text dimensions at the end', () => {
    const schema = createFeatureSchema({ textDimensions: 32 });
    expect(schema.size).toBe(51 + 32);
    expect(schema.names[51]).toBe('text_hash=0');
    expect(() => createFeatureSchema({ textDimensions: -1 })).toThrow(RangeError);
  });

  it('round-trips through JSON and refuses a layout it does not produce', () => {
    const schema = createFeatureSchema({ textDimensions: 8 });
    expect(featureSchemaFromJSON(JSON.parse(JSON.stringify(featureSchemaToJSON(schema))))).toEqual(schema);
    const tampered = { ...featureSchemaToJSON(schema), names: [...schema.names].reverse() };
    expect(() => featureSchemaFromJSON(tampered)).toThrow(FeatureSchemaMismatchError);
    expect(() => featureSchemaFromJSON({ version: 1 })).toThrow(/Invalid FeatureSchema: names/u);
  });

  it('assertFeatureSchema refuses another schema with a clear, typed error', () => {
    const other = createFeatureSchema({ textDimensions: 4 });
    expect(() => assertFeatureSchema(defaultFeatureSchema.hash, defaultFeatureSchema)).not.toThrow();
    const caught = caughtError(() => assertFeatureSchema(defaultFeatureSchema.hash, other, 'LearnedPolicy'));
    expect(FeatureSchemaMismatchError.isInstance(caught)).toBe(true);
    const error = caught as FeatureSchemaMismatchError;
    expect(error.code).toBe('ORCHESTRA_FEATURE_SCHEMA_MISMATCH');
    expect(error.expectedHash).toBe(defaultFeatureSchema.hash);
    expect(error.actualHash).toBe(other.hash);
    expect(error.message).toContain('LearnedPolicy');
    expect(() => assertFeatureSchema(defaultFeatureSchema.hash, defaultFeatureSchema, 'model', 50)).toThrow(/expected 115 features, got 50/u);
  });
});
