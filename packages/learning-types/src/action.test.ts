import { describe, expect, it } from 'vitest';
import { actionSchema } from './action';
import { safeValidate } from './validate';

const valid = {
  agents: ['architect', 'executor'],
  approach: 'sequential',
  parallelism: 1,
  timeoutMultiplier: 1,
  retryStrategy: 'retry_with_backoff',
  safetyLevel: 'balanced',
  models: { architect: 'kimi-k2.5', executor: 'glm-4.7' },
};

describe('Action', () => {
  it('accepts a valid action and defaults skills to none', () => {
    expect(actionSchema.parse(valid).skills).toEqual([]);
  });

  it.each([
    [{ agents: ['architect'] }, 'agents'],
    [{ parallelism: 5 }, 'parallelism'],
    [{ timeoutMultiplier: 2.5 }, 'timeoutMultiplier'],
    [{ models: { executor: 'glm-4.7' } }, 'models.architect'],
    [{ agents: ['executor', 'executor'] }, 'agents'],
  ])('rejects %j at field %s', (patch, field) => {
    const result = safeValidate(actionSchema, { ...valid, ...patch }, 'Action');
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.field).toBe(field);
  });
});
