import { ValidationError } from '@orchestra/learning-types';
import { readFileSync } from 'node:fs';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { defaultWorld, printDefaultWorld } from './default-world';
import { builtInWorlds } from './built-in-worlds';
import { parseWorld } from './world-schema';

function validationErrorOf(input: unknown): ValidationError {
  const error = caughtError(() => parseWorld(input));
  if (ValidationError.isInstance(error)) return error;
  throw new Error('expected a ValidationError', { cause: error });
}

describe('worlds', () => {
  it('ships the default world as JSON identical to printDefaultWorld()', () => {
    const file = readFileSync(new URL('../worlds/default.json', import.meta.url), 'utf8');
    expect(file).toBe(printDefaultWorld());
    expect(parseWorld(JSON.parse(file))).toEqual(defaultWorld);
  });

  it('validates every built-in world file', () => {
    expect(Object.keys(builtInWorlds()).sort()).toEqual(['cheap-models-strong', 'default', 'rules-nearly-optimal']);
    for (const world of Object.values(builtInWorlds())) expect(parseWorld(world)).toEqual(world);
  });

  it('names the offending field of an out-of-range skill', () => {
    const bad = structuredClone(defaultWorld) as Record<string, any>;
    bad.models[2].skill.complex = 1.2;
    const error = validationErrorOf(bad);
    expect(error.field).toBe('models.2.skill.complex');
    expect(error.message).toMatch(/^Invalid World: models\.2\.skill\.complex: /);
  });

  it('rejects unknown fallback models, duplicate ids, missing task types and a wrong version clearly', () => {
    const unknownFallback = { ...defaultWorld, fallbackOrder: ['glm-4.7', 'gpt-9'] };
    expect(validationErrorOf(unknownFallback).message).toContain('fallbackOrder.1: unknown model "gpt-9"');

    const duplicate = structuredClone(defaultWorld);
    duplicate.models[1]!.id = 'glm-4.7';
    expect(validationErrorOf(duplicate).message).toContain('models.1.id: duplicate model id "glm-4.7"');

    const missingType = structuredClone(defaultWorld) as Record<string, any>;
    delete missingType.tasks.typeWeights.chore;
    expect(validationErrorOf(missingType).field).toBe('tasks.typeWeights.chore');

    expect(validationErrorOf({ ...defaultWorld, schemaVersion: 2 }).field).toBe('schemaVersion');
  });
});
