import type { HistorySummary, SystemState, TaskContext } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { encodeState } from './encode-state';
import { createFeatureSchema, defaultFeatureSchema, featureOffsets } from './feature-schema';

const context: TaskContext = {
  taskType: 'bugfix',
  domains: ['backend', 'database'],
  complexity: 'medium',
  risk: 'high',
  estimatedTimeMinutes: 60,
  skills: ['node', 'sql'],
  fileCount: 3,
  description: 'Fix memory leak in backend service',
};
const system: SystemState = { concurrentTasks: 4, load: 0.25, agentAvailability: { auditor: 0.5 } };
const history: HistorySummary = {
  sampleWeight: 12,
  successRate: 0.8,
  timeAccuracy: 0.7,
  resourceEfficiency: 0.6,
  meanReward: 2.5,
  modelErrorRate: 0.1,
};

function at(vector: Float32Array, name: string): number {
  const index = defaultFeatureSchema.names.indexOf(name);
  if (index < 0) throw new Error(`no feature ${name}`);
  return vector[index]!;
}

describe('encodeState', () => {
  it('writes one-hots, multi-hots, ordinals and scaled numbers where the schema names them', () => {
    const vector = encodeState({ context, history, system });
    expect(vector.length).toBe(defaultFeatureSchema.size);
    expect(at(vector, 'task_type=bugfix')).toBe(1);
    expect(vector.slice(0, 13).reduce((sum, value) => sum + value, 0)).toBe(1);
    expect(at(vector, 'primary_domain=backend')).toBe(1);
    expect(at(vector, 'primary_domain=database')).toBe(0);
    expect(at(vector, 'domain=backend')).toBe(1);
    expect(at(vector, 'domain=database')).toBe(1);
    expect(at(vector, 'complexity_ordinal')).toBe(0.5);
    expect(at(vector, 'risk_ordinal')).toBe(1);
    expect(at(vector, 'estimated_time_log')).toBeCloseTo(Math.log1p(60) / Math.log1p(1440), 6);
    expect(at(vector, 'domain_diversity')).toBeCloseTo(1 / 8, 6);
    expect(at(vector, 'skill_count')).toBeCloseTo(0.2, 6);
    expect(at(vector, 'file_count_known')).toBe(1);
    expect(at(vector, 'history_known')).toBe(1);
    expect(at(vector, 'history_success_rate')).toBeCloseTo(0.8, 6);
    expect(at(vector, 'history_mean_reward')).toBe(1);
    expect(at(vector, 'system_concurrent_tasks')).toBe(0.25);
    expect(at(vector, 'agent_availability=auditor')).toBe(0.5);
    expect(at(vector, 'agent_availability=architect')).toBe(1);
  });

  it('encodes missing history as unknown with neutral rates', () => {
    const vector = encodeState({ context, system });
    expect(at(vector, 'history_known')).toBe(0);
    expect(at(vector, 'history_success_rate')).toBe(0.5);
    expect(at(vector, 'history_sample_weight_log')).toBe(0);
  });

  it('reuses the caller buffer and overwrites stale values', () => {
    const out = new Float32Array(defaultFeatureSchema.size).fill(9);
    const result = encodeState({ context, history, system }, out);
    expect(result).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(encodeState({ context, history, system })));
    encodeState({ context: { ...context, taskType: 'docs' }, system }, out);
    expect(at(out, 'task_type=bugfix')).toBe(0);
    expect(at(out, 'task_type=docs')).toBe(1);
  });

  it('keeps every value finite and in range for extreme inputs', () => {
    const vector = encodeState({
      context: { ...context, estimatedTimeMinutes: 1e9, skills: Array.from({ length: 50 }, (_, index) => `s${index}`), fileCount: 1e6 },
      history: { ...history, meanReward: -50, sampleWeight: 1e9 },
      system: { concurrentTasks: 1000, load: 1, agentAvailability: {} },
    });
    for (const value of vector) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(-1);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('rejects unknown enums and short buffers', () => {
    expect(() => encodeState({ context: { ...context, taskType: 'nope' as never }, system })).toThrow(/context.taskType/u);
    expect(() => encodeState({ context: { ...context, domains: ['space' as never] }, system })).toThrow(/context.domains.0/u);
    expect(() => encodeState({ context, system }, new Float32Array(10))).toThrow(RangeError);
  });

  it('fills hashed description text for a schema with text dimensions', () => {
    const schema = createFeatureSchema({ textDimensions: 64 });
    const vector = encodeState({ context, system }, undefined, schema);
    expect(vector.length).toBe(schema.size);
    const text = vector.subarray(featureOffsets.baseSize);
    const norm = Math.sqrt(text.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    const other = encodeState({ context, system, text: 'update README badges' }, undefined, schema).subarray(featureOffsets.baseSize);
    expect(Array.from(other)).not.toEqual(Array.from(text));
    expect(Array.from(vector.subarray(0, featureOffsets.baseSize))).toEqual(Array.from(encodeState({ context, system }, undefined, createFeatureSchema())));
  });
});
