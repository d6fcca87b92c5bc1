import { describe, expect, it } from 'vitest';
import { OrchestraError } from './orchestra-error';
import { ValidationError } from './validation-error';

describe('OrchestraError', () => {
  it('recognises errors across package copies by a global symbol, not by prototype', () => {
    const error = new ValidationError({ what: 'X', issues: [{ path: 'a.b', message: 'bad' }], value: 1 });
    const foreignCopy = Object.assign(Object.create(null), error, { [Symbol.for('orchestra.learning.error')]: true });
    expect(OrchestraError.isInstance(error)).toBe(true);
    expect(OrchestraError.isInstance(foreignCopy)).toBe(true);
    expect(OrchestraError.isInstance(new Error('plain'))).toBe(false);
    expect(error.message).toBe('Invalid X: a.b: bad');
    expect(error.code).toBe('ORCHESTRA_VALIDATION');
  });
});
